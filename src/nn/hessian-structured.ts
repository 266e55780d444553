import { getBackend } from "../linalg/backend.js";
import type { LayerLayout } from "./arch.js";
import type { Loss } from "./losses.js";

/** The forward/backward state at θ the structured Hessian reads (an `Evaluator` after `at(θ)`). */
export interface HessianState {
  readonly widths: readonly number[];
  readonly layers: readonly LayerLayout[];
  readonly n: number;
  readonly lossFn: Loss;
  readonly y: Float64Array;
  /** Features f^[l] (n×m_l), l = 0..L (A[L] = outputs). */
  readonly A: readonly Float64Array[];
  /** σ′(h^[l]), σ″(h^[l]) of hidden layers (n×m_l). */
  readonly G1: readonly Float64Array[];
  readonly G2: readonly Float64Array[];
  /** Unscaled per-sample errors δ^[l] = ∂ℓ_i/∂h^[l] (n×m_l), l = 1..L. */
  readonly D: readonly Float64Array[];
  /** Unscaled z^[l] = ∂ℓ_i/∂f^[l] (n×m_l) of hidden layers. */
  readonly Z: readonly Float64Array[];
}

const pairs = (s: number): number => (s * (s + 1)) / 2;

/**
 * Exact dense Hessian of an L-layer net (any depth L ≥ 1) by block formulas per pair of layers,
 * each block one GEMM over samples — instead of P Hessian-vector products.
 *
 * Derivation (SPEC §1.2 notation, one sample, ℓ = ℓ(f(x), y), W̃^[l] = [W^[l], b^[l]] acting on
 * f̃^[l−1] = [f^[l−1]; 1], g = σ′(h), g″ = σ″(h)). ∂ℓ/∂W̃^[l]_{a,p} = δ^[l]_a f̃^[l−1]_p. For layers
 * l ≤ l′, differentiate in W̃^[l′]_{b,q}; f^[l−1] does not depend on layers ≥ l, so
 *   ∂²ℓ/∂W̃^[l]_{a,p}∂W̃^[l′]_{b,q} = (∂δ^[l]_a/∂W̃^[l′]_{b,q}) f̃^[l−1]_p.
 * Write ℓ = Φ_l(h^[l]) with δ^[l] = ∇Φ_l and let K^[l] = ∇²_{h^[l]}Φ_l (the whole Hessian of ℓ in
 * h^[l], Gauss–Newton part included) and D^{l′←l} = ∂h^[l′]/∂h^[l]. Since ∂Φ_l/∂W̃^[l′]_{b,q} =
 * δ^[l′]_b f̃^[l′−1]_q, differentiating it in h^[l]_a gives
 *   (K^[l′]D^{l′←l})_{b,a} f̃^[l′−1]_q  +  [l′ > l] δ^[l′]_b (∂f^[l′−1]_q/∂h^[l]_a),
 * hence, with R = (1/n)Σ_i ℓ_i and everything per sample i,
 *   H[(l,a,p),(l′,b,q)] = (1/n) Σ_i C^{l′,l}_i[b,a] f̃^[l′−1]_{iq} f̃^[l−1]_{ip}            (first term)
 *                       + [l′ > l] (1/n) Σ_i δ^[l′]_{ib} N^{l′−1,l}_i[q,a] f̃^[l−1]_{ip}  (q a weight column)
 * with the recursions (backward over layers, Λ = ∇²_fℓ, z^[l] = W^[l+1]ᵀδ^[l+1]):
 *   K^[L] = Λ,   C^{l′,l′} = K^[l′],   C^{l′,l} = C^{l′,l+1} W^[l+1] diag(g^[l]),
 *   K^[l] = diag(g^[l]) W^[l+1]ᵀ C^{l+1,l} + diag(g″^[l] ∘ z^[l]),
 *   N^{l,l} = diag(g^[l]) (so the l′ = l+1 term lives on q = a only),
 *   N^{j+1,l} = diag(g^[j+1]) W^[j+1] N^{j,l}.
 * For L = 2 these are the classical blocks (B = K^[1], Λ W2 diag(g), e_c δ_{qa}).
 *
 * Each block is one GEMM of per-sample coefficient rows against per-sample outer-product rows,
 * accumulated over chunks of samples: diagonal blocks use both symmetries (pairs a ≤ b of K^[l]
 * times pairs p ≤ q of f̃f̃ᵀ: a quarter of the block's flops); off-diagonal blocks C^{l′,l} ⊗
 * (f̃^[l′−1] f̃^[l−1]ᵀ); the error terms N ⊗ (δ f̃ᵀ). The results are scattered into θ order
 * (SPEC §1.3) with sequential writes, both triangles. All workspaces are allocated once, in the
 * constructor; `compute` allocates nothing. Cost ≈ n·Σ_blocks(size)/2–/4 flops plus O(n·L²·m³)
 * for the per-sample recursions.
 */
export class StructuredHessian {
  /** Seconds spent in the last `compute`: per-sample recursions, block GEMMs, scatter into θ order. */
  readonly timings = { samples: 0, gemm: 0, scatter: 0 };
  private readonly L: number;
  private readonly P: number;
  private readonly chunk: number;
  private readonly aug: number[]; // c_l = m_{l−1} + 1
  private readonly starts: Int32Array[]; // pair-index row starts of the c_l×c_l outer products
  // per-sample recursion scratch
  private readonly K: Float64Array[]; // K^[l] (m_l×m_l), l = 1..L
  private readonly C: Float64Array; // running C^{l′,l} (max m_{l′}·m_l)
  private readonly T: Float64Array; // scratch for products
  private readonly Nn: Float64Array[]; // N^{j,l} for the current l, j = l..L−1
  private readonly Lam: Float64Array;
  private readonly unit: Float64Array;
  private readonly ft: Float64Array[]; // f̃^[l] of the current sample, l = 0..L−1
  // per-block chunk rows and results
  private readonly diagCoef: Float64Array[]; private readonly diagOuter: Float64Array[]; private readonly diagRes: Float64Array[];
  private readonly offCoef: Float64Array[][]; private readonly offOuter: Float64Array[][]; private readonly offRes: Float64Array[][];
  private readonly adjCoef: Float64Array[]; private readonly adjOuter: Float64Array[]; private readonly adjRes: Float64Array[];
  private readonly errCoef: Float64Array[][]; private readonly errOuter: Float64Array[][]; private readonly errRes: Float64Array[][];

  constructor(private readonly s: HessianState, chunkEntries = 8_000_000) {
    const w = s.widths, L = w.length - 1;
    this.L = L;
    this.P = s.layers.reduce((t, l) => t + l.rows * (l.cols + 1), 0);
    this.aug = [0];
    for (let l = 1; l <= L; l++) this.aug.push(w[l - 1] + 1);
    this.starts = this.aug.map((c) => this.pairStart(c));
    const maxM = Math.max(...w);
    this.K = w.map((m, l) => new Float64Array(l === 0 ? 0 : m * m));
    this.C = new Float64Array(maxM * maxM);
    this.T = new Float64Array(maxM * maxM);
    this.Nn = w.map((m) => new Float64Array(m * maxM));
    const k = w[L];
    this.Lam = new Float64Array(k * k);
    this.unit = new Float64Array(k);
    this.ft = w.slice(0, L).map((m) => new Float64Array(m + 1));
    // per-sample widths of every block's rows, to size the chunk
    let perSample = 0;
    const c = this.aug;
    for (let l = 1; l <= L; l++) {
      perSample += pairs(w[l]) + pairs(c[l]);
      for (let lp = l + 1; lp <= L; lp++) {
        perSample += w[lp] * w[l] + c[lp] * c[l];
        if (lp === l + 1) perSample += w[lp] * w[l] + c[l];
        else perSample += w[lp - 1] * w[l] + w[lp] * c[l];
      }
    }
    this.chunk = Math.max(1, Math.min(s.n, Math.floor(chunkEntries / Math.max(1, perSample))));
    const ch = this.chunk;
    const none = new Float64Array(0);
    this.diagCoef = []; this.diagOuter = []; this.diagRes = [];
    this.offCoef = []; this.offOuter = []; this.offRes = [];
    this.adjCoef = []; this.adjOuter = []; this.adjRes = [];
    this.errCoef = []; this.errOuter = []; this.errRes = [];
    for (let l = 0; l <= L; l++) {
      const on = l >= 1;
      this.diagCoef.push(on ? new Float64Array(ch * pairs(w[l])) : none);
      this.diagOuter.push(on ? new Float64Array(ch * pairs(c[l])) : none);
      this.diagRes.push(on ? new Float64Array(pairs(w[l]) * pairs(c[l])) : none);
      const oc: Float64Array[] = [], oo: Float64Array[] = [], or: Float64Array[] = [];
      const ec: Float64Array[] = [], eo: Float64Array[] = [], er: Float64Array[] = [];
      for (let lp = 0; lp <= L; lp++) {
        const off = on && lp > l;
        oc.push(off ? new Float64Array(ch * w[lp] * w[l]) : none);
        oo.push(off ? new Float64Array(ch * c[lp] * c[l]) : none);
        or.push(off ? new Float64Array(w[lp] * w[l] * c[lp] * c[l]) : none);
        const far = on && lp >= l + 2;
        ec.push(far ? new Float64Array(ch * w[lp - 1] * w[l]) : none);
        eo.push(far ? new Float64Array(ch * w[lp] * c[l]) : none);
        er.push(far ? new Float64Array(w[lp - 1] * w[l] * w[lp] * c[l]) : none);
      }
      this.offCoef.push(oc); this.offOuter.push(oo); this.offRes.push(or);
      this.errCoef.push(ec); this.errOuter.push(eo); this.errRes.push(er);
      const adj = on && l < L;
      this.adjCoef.push(adj ? new Float64Array(ch * w[l + 1] * w[l]) : none);
      this.adjOuter.push(adj ? new Float64Array(ch * c[l]) : none);
      this.adjRes.push(adj ? new Float64Array(w[l + 1] * w[l] * c[l]) : none);
    }
  }

  /** Write ∇²R(θ) (P×P row-major, both triangles) into `out`; the state must be at θ. */
  compute(theta: Float64Array, out: Float64Array): Float64Array {
    const be = getBackend();
    const { s, L } = this;
    const w = s.widths, c = this.aug, n = s.n;
    for (let l = 1; l <= L; l++) {
      this.diagRes[l].fill(0);
      this.adjRes[l].fill(0);
      for (let lp = l + 1; lp <= L; lp++) { this.offRes[l][lp].fill(0); this.errRes[l][lp].fill(0); }
    }
    const tm = this.timings;
    tm.samples = tm.gemm = tm.scatter = 0;
    for (let i0 = 0; i0 < n; i0 += this.chunk) {
      const cn = Math.min(this.chunk, n - i0);
      let t = performance.now();
      for (let r = 0; r < cn; r++) this.fillSample(theta, i0 + r, r);
      tm.samples += performance.now() - t;
      t = performance.now();
      for (let l = 1; l <= L; l++) {
        const nA = pairs(w[l]), nX = pairs(c[l]);
        be.gemm(true, false, nA, nX, cn, 1, this.diagCoef[l], 0, nA, this.diagOuter[l], 0, nX, 1, this.diagRes[l], 0, nX);
        for (let lp = l + 1; lp <= L; lp++) {
          const a = w[lp] * w[l], b = c[lp] * c[l];
          be.gemm(true, false, a, b, cn, 1, this.offCoef[l][lp], 0, a, this.offOuter[l][lp], 0, b, 1, this.offRes[l][lp], 0, b);
          if (lp >= l + 2) {
            const e = w[lp - 1] * w[l], f = w[lp] * c[l];
            be.gemm(true, false, e, f, cn, 1, this.errCoef[l][lp], 0, e, this.errOuter[l][lp], 0, f, 1, this.errRes[l][lp], 0, f);
          }
        }
        if (l < L) {
          const a = w[l + 1] * w[l];
          be.gemm(true, false, a, c[l], cn, 1, this.adjCoef[l], 0, a, this.adjOuter[l], 0, c[l], 1, this.adjRes[l], 0, c[l]);
        }
      }
      tm.gemm += performance.now() - t;
    }
    let t = performance.now();
    this.scatter(out);
    tm.scatter = (performance.now() - t) / 1000;
    tm.samples /= 1000; tm.gemm /= 1000;
    return out;
  }

  /** Per-sample recursions for sample i, written into chunk row r of every block. */
  private fillSample(theta: Float64Array, i: number, r: number): void {
    const be = getBackend();
    const { s, L } = this;
    const w = s.widths, c = this.aug, k = w[L], lay = s.layers;
    // f̃^[l], l = 0..L−1
    for (let l = 0; l < L; l++) {
      const m = w[l], f = this.ft[l], A = s.A[l];
      for (let p = 0; p < m; p++) f[p] = A[i * m + p];
      f[m] = 1;
    }
    // Λ_i (symmetric): row j = ∇²ℓ·e_j
    const F = s.A[L], Kl = this.K[L];
    for (let j = 0; j < k; j++) {
      this.unit.fill(0);
      this.unit[j] = 1;
      s.lossFn.hessVec(F, i * k, s.y, i * k, k, this.unit, 0, Kl, j * k);
    }
    // K^[l′] and C^{l′,l} from the top: C^{l′,l} = C^{l′,l+1} W^[l+1] diag(g^[l]); K^[l] from C^{l+1,l}
    for (let lp = L; lp >= 1; lp--) {
      const mlp = w[lp], K = this.K[lp];
      this.writeDiag(lp, r, K);
      // C = K^[l′] (m_{l′}×m_{l′}) → walk down
      let C = this.C, T = this.T;
      C.set(K.subarray(0, mlp * mlp));
      let cols = mlp;
      for (let l = lp - 1; l >= 1; l--) {
        const ml = w[l], Wn = lay[l]; // W^[l+1] is m_{l+1}×m_l, at lay[l].w
        be.gemm(false, false, mlp, ml, cols, 1, C, 0, cols, theta, Wn.w, ml, 0, T, 0, ml);
        const G1 = s.G1[l];
        for (let b = 0; b < mlp; b++) for (let a = 0; a < ml; a++) T[b * ml + a] *= G1[i * ml + a];
        [C, T] = [T, C];
        cols = ml;
        // C now holds C^{l′,l} (m_{l′}×m_l)
        this.writeOff(l, lp, r, C);
        if (lp === l + 1) {
          // K^[l] = diag(g) W^[l+1]ᵀ C^{l+1,l} + diag(g″∘z)
          const Kd = this.K[l];
          be.gemm(true, false, ml, ml, mlp, 1, theta, Wn.w, ml, C, 0, ml, 0, Kd, 0, ml);
          const G2 = s.G2[l], Z = s.Z[l];
          for (let a = 0; a < ml; a++) {
            const ga = G1[i * ml + a];
            for (let b = 0; b < ml; b++) Kd[a * ml + b] *= ga;
            Kd[a * ml + a] += G2[i * ml + a] * Z[i * ml + a];
          }
        }
      }
    }
    // error terms: N^{j,l} = diag(g^[j]) D^{j←l}; l′ = j + 1
    for (let l = 1; l < L; l++) {
      const ml = w[l], G1l = s.G1[l];
      // adjacent l′ = l + 1: coefficient δ^[l+1]_b g^[l]_a, outer f̃^[l−1]
      {
        const lp = l + 1, mlp = w[lp], Dl = s.D[lp], coef = this.adjCoef[l], o = r * mlp * ml;
        for (let b = 0; b < mlp; b++) {
          const db = Dl[i * mlp + b];
          for (let a = 0; a < ml; a++) coef[o + b * ml + a] = db * G1l[i * ml + a];
        }
        this.adjOuter[l].set(this.ft[l - 1], r * c[l]);
      }
      // N^{l,l} = diag(g^[l]) as a dense m_l×m_l matrix in Nn[l]
      const N0 = this.Nn[l];
      N0.fill(0, 0, ml * ml);
      for (let a = 0; a < ml; a++) N0[a * ml + a] = G1l[i * ml + a];
      for (let j = l + 1; j < L; j++) {
        const mj = w[j], Wj = lay[j - 1]; // W^[j] is m_j×m_{j−1}
        const prev = this.Nn[j - 1], Nj = this.Nn[j];
        be.gemm(false, false, mj, ml, w[j - 1], 1, theta, Wj.w, w[j - 1], prev, 0, ml, 0, Nj, 0, ml);
        const G1j = s.G1[j];
        for (let q = 0; q < mj; q++) { const g = G1j[i * mj + q]; for (let a = 0; a < ml; a++) Nj[q * ml + a] *= g; }
        // block (l, l′ = j + 1): coefficient N^{j,l} [(q,a)], outer δ^[l′] ⊗ f̃^[l−1] [(b,p)]
        const lp = j + 1, mlp = w[lp], Dl = s.D[lp];
        this.errCoef[l][lp].set(Nj.subarray(0, mj * ml), r * mj * ml);
        const eo = this.errOuter[l][lp], f = this.ft[l - 1], cl = c[l];
        let o = r * mlp * cl;
        for (let b = 0; b < mlp; b++) { const db = Dl[i * mlp + b]; for (let p = 0; p < cl; p++) eo[o++] = db * f[p]; }
      }
    }
  }

  private writeDiag(l: number, r: number, K: Float64Array): void {
    const m = this.s.widths[l], cl = this.aug[l];
    const coef = this.diagCoef[l], outer = this.diagOuter[l], f = this.ft[l - 1];
    let o = r * pairs(m);
    for (let a = 0; a < m; a++) for (let b = a; b < m; b++) coef[o++] = 0.5 * (K[a * m + b] + K[b * m + a]);
    o = r * pairs(cl);
    for (let p = 0; p < cl; p++) { const fp = f[p]; for (let q = p; q < cl; q++) outer[o++] = fp * f[q]; }
  }

  private writeOff(l: number, lp: number, r: number, C: Float64Array): void {
    const w = this.s.widths, ml = w[l], mlp = w[lp], cl = this.aug[l], clp = this.aug[lp];
    this.offCoef[l][lp].set(C.subarray(0, mlp * ml), r * mlp * ml);
    const outer = this.offOuter[l][lp], fq = this.ft[lp - 1], fp = this.ft[l - 1];
    let o = r * clp * cl;
    for (let q = 0; q < clp; q++) { const v = fq[q]; for (let p = 0; p < cl; p++) outer[o++] = v * fp[p]; }
  }

  /** Scatter every block result (× 1/n) into θ order, both triangles, sequential writes. */
  private scatter(out: Float64Array): void {
    const { s, L, P } = this;
    const w = s.widths, c = this.aug, lay = s.layers, inv = 1 / s.n;
    // θ index of (layer l, row a, augmented column p): weights row-major, the bias column last
    const idx = (l: number, a: number, p: number): number => (p < w[l - 1] ? lay[l - 1].w + a * w[l - 1] + p : lay[l - 1].b + a);
    for (let l = 1; l <= L; l++) {
      const m = w[l], cl = c[l], mp = cl - 1, nX = pairs(cl), R = this.diagRes[l];
      const W0 = lay[l - 1].w, B0 = lay[l - 1].b;
      // pair index of (p, q) in the upper-triangle enumeration: q ≥ p → start[p] + q; q < p → start[q] + p
      const start = this.starts[l];
      for (let a = 0; a < m; a++) for (let b = a; b < m; b++) {
        const ro = (a * m - (a * (a - 1)) / 2 + (b - a)) * nX;
        for (let p = 0; p < cl; p++) {
          const rowA = (p < mp ? W0 + a * mp + p : B0 + a) * P, rowB = (p < mp ? W0 + b * mp + p : B0 + b) * P;
          const cb = rowA + W0 + b * mp, ca = rowB + W0 + a * mp; // weight columns of rows b and a
          const sp = ro + start[p];
          let q = 0;
          for (; q < p && q < mp; q++) { const v = inv * R[ro + start[q] + p]; out[cb + q] = v; out[ca + q] = v; }
          for (; q < mp; q++) { const v = inv * R[sp + q]; out[cb + q] = v; out[ca + q] = v; }
          const vb = inv * R[p < mp ? sp + mp : ro + start[mp] + p]; // q = bias column
          out[rowA + B0 + b] = vb; out[rowB + B0 + a] = vb;
        }
      }
      for (let lp = l + 1; lp <= L; lp++) {
        const ml = w[l], mlp = w[lp], clp = c[lp], R2 = this.offRes[l][lp], B = clp * cl;
        // add the error terms into R2[(b,a)][(q,p)] first
        if (lp === l + 1) {
          const A = this.adjRes[l];
          for (let b = 0; b < mlp; b++) for (let a = 0; a < ml; a++) {
            const ro = (b * ml + a) * B + a * cl, so = (b * ml + a) * cl;
            for (let p = 0; p < cl; p++) R2[ro + p] += A[so + p];
          }
        } else {
          const E = this.errRes[l][lp], mq = w[lp - 1], F = mlp * cl;
          for (let q = 0; q < mq; q++) for (let a = 0; a < ml; a++) {
            const eo = (q * ml + a) * F;
            for (let b = 0; b < mlp; b++) {
              const ro = (b * ml + a) * B + q * cl, e2 = eo + b * cl;
              for (let p = 0; p < cl; p++) R2[ro + p] += E[e2 + p];
            }
          }
        }
        const Wp = lay[lp - 1].w, Bp = lay[lp - 1].b, mqp = clp - 1;
        for (let a = 0; a < ml; a++) for (let p = 0; p < cl; p++) {
          const row = idx(l, a, p) * P;
          for (let b = 0; b < mlp; b++) {
            const ro = (b * ml + a) * B + p, co = row + Wp + b * mqp;
            for (let q = 0; q < mqp; q++) out[co + q] = inv * R2[ro + q * cl];
            out[row + Bp + b] = inv * R2[ro + mqp * cl];
          }
        }
        for (let b = 0; b < mlp; b++) for (let q = 0; q < clp; q++) {
          const row = idx(lp, b, q) * P;
          for (let a = 0; a < ml; a++) {
            const ro = (b * ml + a) * B + q * cl, co = row + W0 + a * mp;
            for (let p = 0; p < mp; p++) out[co + p] = inv * R2[ro + p];
            out[row + B0 + a] = inv * R2[ro + mp];
          }
        }
      }
    }
  }

  /** start[p] with pair(p, q) = start[p] + q for q ≥ p (upper-triangle enumeration of an s×s matrix). */
  private pairStart(size: number): Int32Array {
    const t = new Int32Array(size);
    for (let p = 0; p < size; p++) t[p] = p * size - (p * (p - 1)) / 2 - p;
    return t;
  }
}
