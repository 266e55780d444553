import type { Dataset } from "../data/dataset.js";
import { getBackend } from "../linalg/backend.js";
import { symmetrizeInPlace } from "../linalg/dense.js";
import { InputError } from "../util/errors.js";
import { activation, type Activation } from "./activations.js";
import { layout, type Arch, type LayerLayout } from "./arch.js";
import { loss as lossByName, type Loss } from "./losses.js";
import { StructuredHessian } from "./hessian-structured.js";
import type { CachingOracle, LayeredOracle } from "./oracle.js";

/**
 * Exact float64 loss, gradient, Hessian-vector product and dense Hessian of one architecture on
 * one data set (SPEC §1.1–§1.2), with all batch workspaces allocated once.
 *
 * Forward:  H^l = A^{l−1} W^lᵀ + 1 b^lᵀ,  A^l = σ(H^l)  (A^0 = X, rows = samples; output affine).
 * Backward: δ^L = ∇_fℓ (per sample, unscaled),  Z^{l} = δ^{l+1} W^{l+1},  δ^l = σ′(H^l)∘Z^l,
 *           ∇_{W^l}R = (1/n) δ^lᵀ A^{l−1},  ∇_{b^l}R = (1/n) 1ᵀδ^l.
 * R-op (Pearlmutter 1994) along V = (V^l, c^l):
 *           RH^l = A^{l−1}V^lᵀ + RA^{l−1}W^lᵀ + 1c^lᵀ,  RA^l = σ′∘RH^l,
 *           Rδ^L = ∇²_fℓ·RH^L,  RZ^{l−1} = Rδ^l W^l + δ^l V^l,
 *           Rδ^{l−1} = σ″∘RH^{l−1}∘Z^{l−1} + σ′∘RZ^{l−1},
 *           (Hv)_{W^l} = (1/n)(Rδ^lᵀA^{l−1} + δ^lᵀRA^{l−1}),  (Hv)_{b^l} = (1/n) 1ᵀRδ^l.
 * The dense Hessian is assembled from block formulas per pair of layers (`StructuredHessian`,
 * any depth). Implements the oracle contract (`nn/oracle.ts`) with the layered per-sample
 * quantities. Every call after construction is allocation-free (the structured-Hessian
 * workspace is allocated on the first `hessian` call and kept); `at(θ)` caches the
 * forward/backward state so that many HVPs at one θ (Lanczos, Hessian columns) reuse it.
 */
export class Evaluator implements LayeredOracle, CachingOracle {
  readonly arch: Arch;
  readonly data: Dataset;
  readonly P: number;
  readonly L: number;
  readonly n: number;
  readonly outputDim: number;
  readonly layers: LayerLayout[];
  readonly widths: readonly number[];
  private readonly act: Activation;
  private readonly lossFn: Loss;
  private structured: StructuredHessian | null = null;
  // sparse first layer (EvaluatorOptions.sparseInputs): X in compressed rows, W^[1]ᵀ and ∇W^[1]ᵀ scratch (d×m_1)
  private readonly csr: { rowStart: Int32Array; col: Int32Array; val: Float64Array } | null = null;
  private readonly W1T: Float64Array = new Float64Array(0);
  // per-layer batch buffers, index l = 0..L
  private readonly A: Float64Array[]; // A[0] = X, A[L] = outputs
  private readonly Hpre: Float64Array[];
  private readonly G1: Float64Array[];
  private readonly G2: Float64Array[];
  private readonly D: Float64Array[]; // δ^l
  private readonly Z: Float64Array[]; // z^l for hidden l
  private readonly RH: Float64Array[];
  private readonly RA: Float64Array[];
  private readonly RD: Float64Array[];
  private readonly RZ: Float64Array[];
  private readonly grad: Float64Array;
  private readonly cached: Float64Array;
  private cachedValid = false;
  private cachedLoss = NaN;
  /** The native fused bias+σ kernel's kind for this activation (0 leaky ReLU, 1 tanh; −1: none). */
  private readonly nativeKind: number;
  private readonly nativeSlope: number;

  constructor(arch: Arch, data: Dataset, opts: EvaluatorOptions = {}) {
    checkCompatible(arch, data);
    this.arch = arch;
    this.data = data;
    this.widths = [...arch.widths];
    const lay = layout(arch.widths);
    this.layers = lay.layers;
    this.P = lay.size;
    this.L = arch.widths.length - 1;
    this.act = activation(arch.activation);
    this.lossFn = lossByName(arch.loss);
    const an = this.act.name;
    this.nativeKind = an === "tanh" ? 1 : an === "relu" || an.startsWith("leaky-relu") ? 0 : -1;
    this.nativeSlope = an === "relu" ? 0 : an === "leaky-relu" ? 0.01 : an.startsWith("leaky-relu:") ? Number(an.slice(11)) : 0;
    const n = data.n;
    this.n = n;
    this.outputDim = data.k;
    const buf = (l: number): Float64Array => new Float64Array(n * this.widths[l]);
    const all = (f: (l: number) => Float64Array): Float64Array[] => this.widths.map((_, l) => f(l));
    this.A = all((l) => (l === 0 ? data.x : buf(l)));
    this.Hpre = all((l) => (l === 0 || l === this.L ? new Float64Array(0) : buf(l)));
    this.G1 = all((l) => (l === 0 || l === this.L ? new Float64Array(0) : buf(l)));
    this.G2 = all((l) => (l === 0 || l === this.L ? new Float64Array(0) : buf(l)));
    this.D = all((l) => (l === 0 ? new Float64Array(0) : buf(l)));
    this.Z = all((l) => (l === 0 || l === this.L ? new Float64Array(0) : buf(l)));
    this.RH = all((l) => (l === 0 ? new Float64Array(0) : buf(l)));
    this.RA = all((l) => (l === 0 || l === this.L ? new Float64Array(0) : buf(l)));
    this.RD = all((l) => (l === 0 ? new Float64Array(0) : buf(l)));
    this.RZ = all((l) => (l === this.L ? new Float64Array(0) : buf(l)));
    this.grad = new Float64Array(this.P);
    this.cached = new Float64Array(this.P);
    if (opts.sparseInputs) {
      const d = data.d, x = data.x;
      let nnz = 0;
      for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
      const rowStart = new Int32Array(n + 1), col = new Int32Array(nnz), val = new Float64Array(nnz);
      let q = 0;
      for (let i = 0; i < n; i++) {
        rowStart[i] = q;
        for (let c = 0; c < d; c++) { const v = x[i * d + c]; if (v !== 0) { col[q] = c; val[q] = v; q++; } }
      }
      rowStart[n] = q;
      this.csr = { rowStart, col, val };
      this.W1T = new Float64Array(d * this.widths[1]);
    }
  }

  /** Fraction of non-zero inputs (1 unless the first layer is sparse). */
  get density(): number {
    return this.csr ? this.csr.val.length / Math.max(1, this.n * this.widths[0]) : 1;
  }

  /** Forward pass on the training inputs; returns R(θ). Leaves outputs in `outputs()`. */
  loss(theta: Float64Array): number {
    this.checkTheta(theta);
    this.forward(theta);
    return this.computeLoss();
  }

  /** R(θ) and ∇R(θ) (written to `out`, length P). */
  lossAndGradient(theta: Float64Array, out: Float64Array): number {
    this.checkTheta(theta);
    this.forward(theta);
    const R = this.computeLoss();
    this.backward(theta, out);
    return R;
  }

  /** The network outputs f_θ(x_i) (n×k row-major view; valid until the next call). */
  outputs(theta: Float64Array): Float64Array {
    this.checkTheta(theta);
    this.forward(theta);
    return this.A[this.L];
  }

  /** Pre-activations H^l (n×m_l) at θ of hidden layer l (1-based), as a view. */
  preActivations(theta: Float64Array, l: number): Float64Array {
    if (!(l >= 1 && l < this.L)) throw new InputError(`hidden layer ${l} does not exist (hidden layers are 1..${this.L - 1})`);
    this.checkTheta(theta);
    this.forward(theta);
    return this.Hpre[l];
  }

  /** Post-activations f^[l] (n×m_l) at θ of layer l (0 = inputs, L = outputs), as a view. */
  features(theta: Float64Array, l: number): Float64Array {
    if (!(Number.isInteger(l) && l >= 0 && l <= this.L)) throw new InputError(`layer ${l} does not exist (layers are 0..${this.L})`);
    this.checkTheta(theta);
    this.forward(theta);
    return this.A[l];
  }

  /** Per-sample errors δ^[l] = ∂ℓ_i/∂h^[l] (n×m_l, unscaled, SPEC §1.2) of layer l = 1..L, as a view. */
  errors(theta: Float64Array, l: number): Float64Array {
    if (!(Number.isInteger(l) && l >= 1 && l <= this.L)) throw new InputError(`layer ${l} has no errors (layers are 1..${this.L})`);
    this.at(theta);
    return this.D[l];
  }

  /** ∇_fℓ(f_θ(x_i), y_i) per sample (n×k, unscaled) = δ^[L], as a view. */
  sampleLossGradients(theta: Float64Array): Float64Array {
    return this.errors(theta, this.L);
  }

  /** Prepare forward/backward state at θ for HVPs; returns R(θ). No-op if θ is unchanged. */
  at(theta: Float64Array): number {
    this.checkTheta(theta);
    if (this.cachedValid && sameVector(theta, this.cached)) return this.cachedLoss;
    this.forward(theta, true);
    this.cachedLoss = this.computeLoss();
    this.backward(theta, this.grad);
    this.cached.set(theta);
    this.cachedValid = true;
    return this.cachedLoss;
  }

  /** ∇R at the θ of the last `at` call (view). */
  cachedGradient(): Float64Array {
    return this.grad;
  }

  /** out = ∇²R(θ)·v, exact (R-op). */
  hvp(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    if (v.length !== this.P) throw new InputError(`direction has ${v.length} entries, expected ${this.P}`);
    this.at(theta);
    this.rop(this.cached, v, -1, out);
  }

  /**
   * The dense Hessian ∇²R(θ) (P×P row-major) into `out`, exact and symmetric, by the block
   * formulas of `StructuredHessian` (any depth; its workspace is allocated on the first call).
   */
  hessian(theta: Float64Array, out?: Float64Array): Float64Array {
    this.checkTheta(theta);
    const P = this.P;
    if (out && out.length < P * P) throw new InputError(`Hessian buffer has ${out.length} entries, expected ${P * P}`);
    const H = out ?? new Float64Array(P * P);
    this.at(theta);
    this.structured ??= new StructuredHessian({
      widths: this.widths, layers: this.layers, n: this.n, lossFn: this.lossFn, y: this.data.y,
      A: this.A, G1: this.G1, G2: this.G2, D: this.D, Z: this.Z,
    });
    return this.structured.compute(this.cached, H);
  }

  /**
   * The dense Hessian column by column: one exact unit-direction R-op per parameter (any depth),
   * symmetrised. The independent reference the structured assembly is checked against.
   */
  hessianPerColumn(theta: Float64Array, out = new Float64Array(this.P * this.P), onColumn?: (j: number) => void): Float64Array {
    this.at(theta);
    const P = this.P;
    for (let j = 0; j < P; j++) {
      this.rop(this.cached, null, j, out.subarray(j * P, (j + 1) * P));
      onColumn?.(j);
    }
    symmetrizeInPlace(out, P);
    return out;
  }


  /** H (n×m_1) = X·W1ᵀ with X in compressed rows, W1 = w[off ..] (m_1×d row-major): O(nnz·m_1). */
  private sparseTimesWT(w: Float64Array, off: number, H: Float64Array): void {
    const { rowStart, col, val } = this.csr!;
    const d = this.widths[0], m = this.widths[1], WT = this.W1T;
    for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) WT[c * m + j] = w[off + j * d + c];
    for (let i = 0; i < this.n; i++) {
      const ho = i * m;
      for (let j = 0; j < m; j++) H[ho + j] = 0;
      for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
        const v = val[q], wo = col[q] * m;
        for (let j = 0; j < m; j++) H[ho + j] += v * WT[wo + j];
      }
    }
  }

  /** out[off ..] (m_1×d) = α·Dᵀ X with X in compressed rows: O(nnz·m_1). */
  private sparseGrad(D: Float64Array, alpha: number, out: Float64Array, off: number): void {
    const { rowStart, col, val } = this.csr!;
    const d = this.widths[0], m = this.widths[1], GT = this.W1T;
    GT.fill(0);
    for (let i = 0; i < this.n; i++) {
      const ho = i * m;
      for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
        const v = val[q], go = col[q] * m;
        for (let j = 0; j < m; j++) GT[go + j] += v * D[ho + j];
      }
    }
    for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) out[off + j * d + c] = alpha * GT[c * m + j];
  }

  private checkTheta(theta: Float64Array): void {
    if (theta.length !== this.P) throw new InputError(`parameter vector has ${theta.length} entries, architecture ${this.widths.join("-")} needs ${this.P}`);
  }

  /** Forward pass; σ″ (G2) only when `curvature` (the R-op needs it, loss and gradient do not). */
  private forward(theta: Float64Array, curvature = false): void {
    this.cachedValid = false; // the batch buffers are about to hold another θ
    const be = getBackend();
    const n = this.data.n;
    for (let l = 1; l <= this.L; l++) {
      const lay = this.layers[l - 1];
      const m = lay.rows, mp = lay.cols;
      const H = l === this.L ? this.A[l] : this.Hpre[l];
      if (l === 1 && this.csr) this.sparseTimesWT(theta, lay.w, H);
      else be.gemm(false, true, n, m, mp, 1, this.A[l - 1], 0, mp, theta, lay.w, mp, 0, H, 0, m);
      if (l < this.L && this.nativeKind >= 0 && be.biasAct) { // fused, threaded bias + σ (bit-identical)
        be.biasAct(H, n, m, theta, lay.b, this.nativeKind as 0 | 1, this.nativeSlope, this.A[l], this.G1[l], curvature ? this.G2[l] : null);
        continue;
      }
      for (let i = 0; i < n; i++) {
        const o = i * m;
        for (let j = 0; j < m; j++) H[o + j] += theta[lay.b + j];
      }
      if (l < this.L) this.act.apply(H, this.A[l], this.G1[l], curvature ? this.G2[l] : null, n * m);
    }
  }

  private computeLoss(): number {
    const n = this.data.n, k = this.data.k;
    const F = this.A[this.L], Y = this.data.y;
    let s = 0;
    for (let i = 0; i < n; i++) s += this.lossFn.value(F, i * k, Y, i * k, k);
    return s / n;
  }

  private backward(theta: Float64Array, g: Float64Array): void {
    const be = getBackend();
    const n = this.data.n, k = this.data.k, L = this.L;
    const F = this.A[L], Y = this.data.y, DL = this.D[L];
    for (let i = 0; i < n; i++) this.lossFn.grad(F, i * k, Y, i * k, k, DL, i * k);
    const inv = 1 / n;
    for (let l = L; l >= 1; l--) {
      const lay = this.layers[l - 1];
      const m = lay.rows, mp = lay.cols;
      const D = this.D[l];
      if (l === 1 && this.csr) this.sparseGrad(D, inv, g, lay.w);
      else be.gemm(true, false, m, mp, n, inv, D, 0, m, this.A[l - 1], 0, mp, 0, g, lay.w, mp);
      if (l === L) colSums(D, n, m, g, lay.b, inv); // lower layers' bias gradients are summed while δ is formed
      if (l > 1) {
        const Zp = this.Z[l - 1];
        be.gemm(false, false, n, mp, m, 1, D, 0, m, theta, lay.w, mp, 0, Zp, 0, mp);
        const Dp = this.D[l - 1], G1 = this.G1[l - 1], gb = this.layers[l - 2].b;
        if (be.maskColSums) be.maskColSums(G1, Zp, Dp, n, mp, g, gb); // fused, threaded (bit-identical)
        else {
          for (let j = 0; j < mp; j++) g[gb + j] = 0;
          for (let i = 0; i < n; i++) {
            const o = i * mp;
            for (let j = 0; j < mp; j++) { const d = G1[o + j] * Zp[o + j]; Dp[o + j] = d; g[gb + j] += d; }
          }
        }
        for (let j = 0; j < mp; j++) g[gb + j] *= inv; // δ is per sample (unscaled): the 1/n of R here
      }
    }
  }

  /**
   * R-op at the cached state: out = H·v for a dense direction v, or H·e_unit when v is null.
   * For a unit direction the layers below its own are skipped and its first layer is formed sparsely.
   */
  private rop(theta: Float64Array, v: Float64Array | null, unit: number, out: Float64Array): void {
    const be = getBackend();
    const n = this.data.n, k = this.data.k, L = this.L;
    // which layer the direction starts in (everything below has RH = RA = 0)
    let lStart = 1;
    let uLayer = -1, uRow = -1, uCol = -1; // unit direction: W^[uLayer][uRow,uCol], or bias if uCol = -1
    if (v === null) {
      for (let l = 1; l <= L; l++) {
        const lay = this.layers[l - 1];
        if (unit >= lay.w && unit < lay.b + lay.rows) {
          uLayer = l;
          if (unit < lay.b) { uRow = Math.floor((unit - lay.w) / lay.cols); uCol = (unit - lay.w) % lay.cols; }
          else { uRow = unit - lay.b; uCol = -1; }
          break;
        }
      }
      lStart = uLayer;
    }
    for (let l = lStart; l <= L; l++) {
      const lay = this.layers[l - 1];
      const m = lay.rows, mp = lay.cols;
      const RH = this.RH[l];
      if (v !== null) {
        if (l === 1 && this.csr) this.sparseTimesWT(v, lay.w, RH);
        else be.gemm(false, true, n, m, mp, 1, this.A[l - 1], 0, mp, v, lay.w, mp, 0, RH, 0, m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) RH[i * m + j] += v[lay.b + j];
        if (l > 1) be.gemm(false, true, n, m, mp, 1, this.RA[l - 1], 0, mp, theta, lay.w, mp, 1, RH, 0, m);
      } else if (l === lStart) {
        RH.fill(0);
        const Ap = this.A[l - 1];
        if (uCol >= 0) for (let i = 0; i < n; i++) RH[i * m + uRow] = Ap[i * mp + uCol];
        else for (let i = 0; i < n; i++) RH[i * m + uRow] = 1;
      } else {
        be.gemm(false, true, n, m, mp, 1, this.RA[l - 1], 0, mp, theta, lay.w, mp, 0, RH, 0, m);
      }
      if (l < L) {
        const RA = this.RA[l], G1 = this.G1[l];
        for (let i = 0; i < n * m; i++) RA[i] = G1[i] * RH[i];
      }
    }
    // output layer: Rδ^L = (1/n) ∇²ℓ · RH^L
    const F = this.A[L], Y = this.data.y, RDL = this.RD[L], RHL = this.RH[L];
    for (let i = 0; i < n; i++) this.lossFn.hessVec(F, i * k, Y, i * k, k, RHL, i * k, RDL, i * k);
    const inv = 1 / n;
    for (let l = L; l >= 1; l--) {
      const lay = this.layers[l - 1];
      const m = lay.rows, mp = lay.cols;
      const RD = this.RD[l], D = this.D[l];
      if (l === 1 && this.csr) this.sparseGrad(RD, inv, out, lay.w);
      else be.gemm(true, false, m, mp, n, inv, RD, 0, m, this.A[l - 1], 0, mp, 0, out, lay.w, mp);
      if (l - 1 >= lStart && l > 1) be.gemm(true, false, m, mp, n, inv, D, 0, m, this.RA[l - 1], 0, mp, 1, out, lay.w, mp);
      colSums(RD, n, m, out, lay.b, inv);
      if (l > 1) {
        const RZ = this.RZ[l - 1];
        be.gemm(false, false, n, mp, m, 1, RD, 0, m, theta, lay.w, mp, 0, RZ, 0, mp);
        if (v !== null) be.gemm(false, false, n, mp, m, 1, D, 0, m, v, lay.w, mp, 1, RZ, 0, mp);
        else if (l === uLayer && uCol >= 0) for (let i = 0; i < n; i++) RZ[i * mp + uCol] += D[i * m + uRow];
        const RDp = this.RD[l - 1], G1 = this.G1[l - 1], G2 = this.G2[l - 1], Zp = this.Z[l - 1], RHp = this.RH[l - 1];
        if (l - 1 >= lStart) for (let i = 0; i < n * mp; i++) RDp[i] = G2[i] * RHp[i] * Zp[i] + G1[i] * RZ[i];
        else for (let i = 0; i < n * mp; i++) RDp[i] = G1[i] * RZ[i];
      }
    }
  }
}

/** Construction options of an `Evaluator`. */
export interface EvaluatorOptions {
  /**
   * Store the inputs in compressed rows and form the first layer's products (forward, gradient,
   * R-op) in O(nnz·m_1) instead of a dense GEMM: pays for mostly-zero inputs (MNIST ≈ 81 % zeros)
   * on the pure backend; with a native BLAS the dense GEMM is faster unless the inputs are very sparse.
   */
  sparseInputs?: boolean;
}

function colSums(D: Float64Array, n: number, m: number, out: Float64Array, off: number, scale: number): void {
  for (let j = 0; j < m; j++) out[off + j] = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) out[off + j] += D[o + j];
  }
  for (let j = 0; j < m; j++) out[off + j] *= scale;
}

function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A data set of inputs only (targets zero), for evaluating f_θ on arbitrary inputs through an
 * oracle (`predict`): x is used as is (n×d row-major), no copy.
 */
export function inputsOnly(x: Float64Array, n: number, d: number, k: number): Dataset {
  if (x.length !== n * d) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${d}`);
  return { n, d, k, x, y: new Float64Array(n * k), name: "inputs" };
}

/** One-line InputError unless the data's input/target sizes match the architecture. */
export function checkCompatible(arch: Arch, data: Dataset): void {
  const d = arch.widths[0], k = arch.widths[arch.widths.length - 1];
  if (data.d !== d) throw new InputError(`data has ${data.d} input column(s) but the net ${arch.widths.join("-")} expects ${d}`);
  if (data.k !== k) throw new InputError(`data has ${data.k} target column(s) but the net ${arch.widths.join("-")} outputs ${k}`);
}
