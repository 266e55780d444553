import type { Dataset } from "../data/dataset.js";
import { activation, type Activation } from "../nn/activations.js";
import { layout, type Arch } from "../nn/arch.js";
import { checkCompatible } from "../nn/evaluator.js";
import { loss as lossByName, type Loss } from "../nn/losses.js";
import { InputError } from "../util/errors.js";

/**
 * R(θ) and ∇R(θ) of a two-layer net d-m-k (SPEC §1.1–§1.2, same math and θ layout as `Evaluator`) for data with
 * mostly-zero inputs such as MNIST (≈80 % zero pixels): the inputs are stored once in compressed sparse rows, so
 *   H = X W1ᵀ + 1b1ᵀ and ∇W1 = δ1ᵀ X
 * cost O(nnz·m) instead of O(n·d·m). W1 is kept transposed (d×m) for contiguous row updates. A `LossOracle` for
 * `minimize`; allocation-free after construction.
 */
export class SparseTwoLayerOracle {
  readonly P: number;
  private readonly n: number; private readonly d: number; private readonly m: number; private readonly k: number;
  private readonly rowStart: Int32Array; private readonly colIdx: Int32Array; private readonly vals: Float64Array;
  private readonly act: Activation; private readonly lossFn: Loss;
  private readonly y: Float64Array;
  private readonly W1T: Float64Array; private readonly H: Float64Array; private readonly A: Float64Array;
  private readonly G1: Float64Array; private readonly F: Float64Array; private readonly D2: Float64Array;
  private readonly D1: Float64Array; private readonly GW1T: Float64Array;
  private readonly off: { w1: number; b1: number; w2: number; b2: number };

  constructor(arch: Arch, data: Dataset) {
    if (arch.widths.length !== 3) throw new InputError(`the sparse oracle handles two-layer nets d-m-k, got ${arch.widths.join("-")}`);
    checkCompatible(arch, data);
    const [d, m, k] = arch.widths;
    this.n = data.n; this.d = d; this.m = m; this.k = k;
    const lay = layout(arch.widths);
    this.P = lay.size;
    this.off = { w1: lay.layers[0].w, b1: lay.layers[0].b, w2: lay.layers[1].w, b2: lay.layers[1].b };
    let nnz = 0;
    for (let i = 0; i < data.x.length; i++) if (data.x[i] !== 0) nnz++;
    this.rowStart = new Int32Array(this.n + 1); this.colIdx = new Int32Array(nnz); this.vals = new Float64Array(nnz);
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      this.rowStart[i] = q;
      for (let c = 0; c < d; c++) { const v = data.x[i * d + c]; if (v !== 0) { this.colIdx[q] = c; this.vals[q] = v; q++; } }
    }
    this.rowStart[this.n] = q;
    this.act = activation(arch.activation); this.lossFn = lossByName(arch.loss);
    this.y = data.y;
    this.W1T = new Float64Array(d * m); this.GW1T = new Float64Array(d * m);
    this.H = new Float64Array(this.n * m); this.A = new Float64Array(this.n * m); this.G1 = new Float64Array(this.n * m);
    this.D1 = new Float64Array(this.n * m); this.F = new Float64Array(this.n * k); this.D2 = new Float64Array(this.n * k);
  }

  /** Fraction of non-zero inputs. */
  get density(): number { return this.vals.length / (this.n * this.d); }

  lossAndGradient(theta: Float64Array, g: Float64Array): number {
    if (theta.length !== this.P || g.length !== this.P) throw new InputError(`parameter vector has ${theta.length} entries, expected ${this.P}`);
    const { n, d, m, k } = this;
    const { w1, b1, w2, b2 } = this.off;
    const W1T = this.W1T, H = this.H, A = this.A, G1 = this.G1, F = this.F, D2 = this.D2, D1 = this.D1;
    for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) W1T[c * m + j] = theta[w1 + j * d + c];
    // forward
    for (let i = 0; i < n; i++) {
      const ho = i * m;
      for (let j = 0; j < m; j++) H[ho + j] = theta[b1 + j];
      for (let q = this.rowStart[i]; q < this.rowStart[i + 1]; q++) {
        const v = this.vals[q], wo = this.colIdx[q] * m;
        for (let j = 0; j < m; j++) H[ho + j] += v * W1T[wo + j];
      }
    }
    this.act.apply(H, A, G1, null, n * m);
    let R = 0;
    const inv = 1 / n;
    for (let i = 0; i < n; i++) {
      const ao = i * m, fo = i * k;
      for (let c = 0; c < k; c++) {
        let s = theta[b2 + c];
        const wo = w2 + c * m;
        for (let j = 0; j < m; j++) s += theta[wo + j] * A[ao + j];
        F[fo + c] = s;
      }
      R += this.lossFn.value(F, fo, this.y, fo, k);
      this.lossFn.grad(F, fo, this.y, fo, k, D2, fo);
    }
    for (let i = 0; i < n * k; i++) D2[i] *= inv;
    // backward: output layer
    g.fill(0, w2, b2 + k);
    for (let i = 0; i < n; i++) {
      const ao = i * m, fo = i * k;
      for (let c = 0; c < k; c++) {
        const dc = D2[fo + c];
        g[b2 + c] += dc;
        const go = w2 + c * m;
        for (let j = 0; j < m; j++) g[go + j] += dc * A[ao + j];
      }
    }
    // δ1 = σ′(H) ∘ (δ2 W2)
    for (let i = 0; i < n; i++) {
      const ho = i * m, fo = i * k;
      for (let j = 0; j < m; j++) D1[ho + j] = 0;
      for (let c = 0; c < k; c++) {
        const dc = D2[fo + c], wo = w2 + c * m;
        for (let j = 0; j < m; j++) D1[ho + j] += dc * theta[wo + j];
      }
      for (let j = 0; j < m; j++) D1[ho + j] *= G1[ho + j];
    }
    // ∇W1ᵀ = Xᵀ δ1 (sparse), ∇b1 = 1ᵀδ1
    const GW1T = this.GW1T;
    GW1T.fill(0);
    g.fill(0, b1, b1 + m);
    for (let i = 0; i < n; i++) {
      const ho = i * m;
      for (let j = 0; j < m; j++) g[b1 + j] += D1[ho + j];
      for (let q = this.rowStart[i]; q < this.rowStart[i + 1]; q++) {
        const v = this.vals[q], go = this.colIdx[q] * m;
        for (let j = 0; j < m; j++) GW1T[go + j] += v * D1[ho + j];
      }
    }
    for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) g[w1 + j * d + c] = GW1T[c * m + j];
    return R * inv;
  }
}

/**
 * f_θ(x) for n inputs (n×d row-major), any depth, skipping zero inputs in the first layer (W^[1] is read transposed,
 * so a sample costs O(nnz·m_1) there). Same values as `predict` up to summation order.
 */
export function outputsSkippingZeros(arch: Arch, theta: Float64Array, x: Float64Array, n: number): Float64Array {
  const { layers, size } = layout(arch.widths);
  if (theta.length !== size) throw new InputError(`parameter vector has ${theta.length} entries, architecture needs ${size}`);
  const d = arch.widths[0];
  if (x.length !== n * d) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${d}`);
  const act = activation(arch.activation);
  const L0 = layers[0], m = L0.rows;
  const WT = new Float64Array(d * m);
  for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) WT[c * m + j] = theta[L0.w + j * d + c];
  let a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) a[o + j] = theta[L0.b + j];
    for (let c = 0; c < d; c++) {
      const v = x[i * d + c];
      if (v === 0) continue;
      const wo = c * m;
      for (let j = 0; j < m; j++) a[o + j] += v * WT[wo + j];
    }
  }
  if (layers.length > 1) for (let i = 0; i < a.length; i++) a[i] = act.f(a[i]);
  for (let l = 1; l < layers.length; l++) {
    const { rows, cols, w, b } = layers[l];
    const h = new Float64Array(n * rows);
    const last = l === layers.length - 1;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < rows; r++) {
        let s = theta[b + r];
        const wo = w + r * cols, ao = i * cols;
        for (let c = 0; c < cols; c++) s += theta[wo + c] * a[ao + c];
        h[i * rows + r] = last ? s : act.f(s);
      }
    }
    a = h;
  }
  return a;
}

/** R = (1/n) Σ_i ℓ(f_i, y_i) from precomputed outputs (n×k). */
export function lossFromOutputs(lossName: string, f: Float64Array, y: Float64Array, n: number, k: number): number {
  const L = lossByName(lossName);
  let s = 0;
  for (let i = 0; i < n; i++) s += L.value(f, i * k, y, i * k, k);
  return s / n;
}
