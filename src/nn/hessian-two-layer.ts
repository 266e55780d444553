import type { Dataset } from "../data/dataset.js";
import { getBackend } from "../linalg/backend.js";
import { activation } from "./activations.js";
import { layout, type Arch } from "./arch.js";
import { loss as lossByName } from "./losses.js";

/**
 * Exact dense Hessian of a two-layer net f(x) = W2 σ(W1 x + b1) + b2 by structured assembly,
 * three big GEMMs instead of P Hessian-vector products. With x̃ = [x; 1], ã = [σ(h); 1], e = ∇_fℓ,
 * Λ = ∇²_fℓ, g = σ′(h), g″ = σ″(h), z = W2ᵀe and R = (1/n)Σ_i ℓ_i:
 *
 *   ∂²R/∂W̃1[a,p]∂W̃1[b,q] = (1/n) Σ_i B_i[a,b] x̃_p x̃_q,  B_i = diag(g)W2ᵀΛ_iW2 diag(g) + diag(g″∘z)
 *   ∂²R/∂W̃1[a,p]∂W̃2[c,q] = (1/n) Σ_i g_a x̃_p ( ã_q (Λ_iW2)[c,a] + δ_{qa} e_c )
 *   ∂²R/∂W̃2[c,q]∂W̃2[c′,q′] = (1/n) Σ_i Λ_i[c,c′] ã_q ã_q′
 *
 * (W̃ = [W, b], columns p, q over the augmented inputs). Each sum is one GEMM of a per-sample
 * coefficient matrix against per-sample outer products (only the symmetric halves), accumulated
 * over chunks of samples to bound memory. About n·[m²d²/4 + mk·dm + k²m²/4]·2 flops.
 */
export function hessianTwoLayer(arch: Arch, data: Dataset, theta: Float64Array, out: Float64Array, chunkEntries = 4_000_000): Float64Array {
  const be = getBackend();
  const act = activation(arch.activation);
  const lossFn = lossByName(arch.loss);
  const [d, m, k] = arch.widths;
  const n = data.n;
  const { layers, size: P } = layout(arch.widths);
  const L1 = layers[0], L2 = layers[1];
  const d1 = d + 1, m1 = m + 1;
  // forward pass
  const Hp = new Float64Array(n * m), A = new Float64Array(n * m), G1 = new Float64Array(n * m), G2 = new Float64Array(n * m);
  be.gemm(false, true, n, m, d, 1, data.x, 0, d, theta, L1.w, d, 0, Hp, 0, m);
  for (let i = 0; i < n; i++) for (let a = 0; a < m; a++) Hp[i * m + a] += theta[L1.b + a];
  act.apply(Hp, A, G1, G2, n * m);
  const F = new Float64Array(n * k);
  be.gemm(false, true, n, k, m, 1, A, 0, m, theta, L2.w, m, 0, F, 0, k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) F[i * k + c] += theta[L2.b + c];
  // per-sample e, Λ (k×k) and ΛW2 (k×m)
  const E = new Float64Array(n * k), Lam = new Float64Array(n * k * k), LW = new Float64Array(n * k * m);
  const unit = new Float64Array(k), col = new Float64Array(k), tmp = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    lossFn.grad(F, i * k, data.y, i * k, k, E, i * k);
    for (let c = 0; c < k; c++) {
      unit.fill(0);
      unit[c] = 1;
      lossFn.hessVec(F, i * k, data.y, i * k, k, unit, 0, Lam, (i * k + c) * k); // row c of Λ (symmetric)
    }
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < k; c++) col[c] = theta[L2.w + c * m + a];
      lossFn.hessVec(F, i * k, data.y, i * k, k, col, 0, tmp, 0);
      for (let c = 0; c < k; c++) LW[(i * k + c) * m + a] = tmp[c];
    }
  }
  const pairs = (s: number): number => (s * (s + 1)) / 2;
  const nA = pairs(m), nX = pairs(d1), nAt = pairs(m1), nK = pairs(k);
  const R11 = new Float64Array(nA * nX), R12 = new Float64Array(m * k * d1 * m1), D12 = new Float64Array(m * k * d1), R22 = new Float64Array(nK * nAt);
  const widest = Math.max(nA, nX, m * k, d1 * m1, nK, nAt);
  const chunk = Math.max(1, Math.min(n, Math.floor(chunkEntries / widest)));
  const Bc = new Float64Array(chunk * nA), Xc = new Float64Array(chunk * nX), Cc = new Float64Array(chunk * m * k);
  const Yc = new Float64Array(chunk * d1 * m1), Ec = new Float64Array(chunk * m * k), Xt = new Float64Array(chunk * d1);
  const Lc = new Float64Array(chunk * nK), Ac = new Float64Array(chunk * nAt);
  const xt = new Float64Array(d1), at = new Float64Array(m1), M = new Float64Array(m * m);
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const cn = Math.min(chunk, n - i0);
    for (let r = 0; r < cn; r++) {
      const i = i0 + r;
      for (let p = 0; p < d; p++) xt[p] = data.x[i * d + p];
      xt[d] = 1;
      for (let a = 0; a < m; a++) at[a] = A[i * m + a];
      at[m] = 1;
      // M = W2ᵀ (Λ W2), then B = diag(g) M diag(g) + diag(g″ z)
      be.gemm(true, false, m, m, k, 1, theta, L2.w, m, LW, i * k * m, m, 0, M, 0, m);
      let o = r * nA;
      for (let a = 0; a < m; a++) {
        const ga = G1[i * m + a];
        let za = 0;
        for (let c = 0; c < k; c++) za += theta[L2.w + c * m + a] * E[i * k + c];
        for (let b = a; b < m; b++) Bc[o++] = ga * G1[i * m + b] * M[a * m + b] + (a === b ? G2[i * m + a] * za : 0);
      }
      o = r * nX;
      for (let p = 0; p < d1; p++) for (let q = p; q < d1; q++) Xc[o++] = xt[p] * xt[q];
      o = r * m * k;
      for (let a = 0; a < m; a++) {
        const ga = G1[i * m + a];
        for (let c = 0; c < k; c++) { Cc[o] = ga * LW[(i * k + c) * m + a]; Ec[o] = ga * E[i * k + c]; o++; }
      }
      o = r * d1 * m1;
      for (let p = 0; p < d1; p++) for (let q = 0; q < m1; q++) Yc[o++] = xt[p] * at[q];
      for (let p = 0; p < d1; p++) Xt[r * d1 + p] = xt[p];
      o = r * nK;
      for (let c = 0; c < k; c++) for (let c2 = c; c2 < k; c2++) Lc[o++] = Lam[(i * k + c) * k + c2];
      o = r * nAt;
      for (let q = 0; q < m1; q++) for (let q2 = q; q2 < m1; q2++) Ac[o++] = at[q] * at[q2];
    }
    be.gemm(true, false, nA, nX, cn, 1, Bc, 0, nA, Xc, 0, nX, 1, R11, 0, nX);
    be.gemm(true, false, m * k, d1 * m1, cn, 1, Cc, 0, m * k, Yc, 0, d1 * m1, 1, R12, 0, d1 * m1);
    be.gemm(true, false, m * k, d1, cn, 1, Ec, 0, m * k, Xt, 0, d1, 1, D12, 0, d1);
    be.gemm(true, false, nK, nAt, cn, 1, Lc, 0, nK, Ac, 0, nAt, 1, R22, 0, nAt);
  }
  // scatter into θ order (SPEC §1.3): W1 row-major then b1, W2 row-major then b2
  const idx1 = (a: number, p: number): number => (p < d ? L1.w + a * d + p : L1.b + a);
  const idx2 = (c: number, q: number): number => (q < m ? L2.w + c * m + q : L2.b + c);
  const pairIdx = (s: number, i: number, j: number): number => (i <= j ? i * s - (i * (i - 1)) / 2 + (j - i) : j * s - (j * (j - 1)) / 2 + (i - j));
  const inv = 1 / n;
  const set = (r: number, c: number, v: number): void => { out[r * P + c] = v; out[c * P + r] = v; };
  for (let a = 0; a < m; a++) for (let b = a; b < m; b++) {
    const ab = pairIdx(m, a, b);
    for (let p = 0; p < d1; p++) for (let q = 0; q < d1; q++) set(idx1(a, p), idx1(b, q), inv * R11[ab * nX + pairIdx(d1, p, q)]);
  }
  for (let a = 0; a < m; a++) for (let c = 0; c < k; c++) {
    const ac = a * k + c;
    for (let p = 0; p < d1; p++) for (let q = 0; q < m1; q++) {
      set(idx1(a, p), idx2(c, q), inv * (R12[ac * d1 * m1 + p * m1 + q] + (q === a ? D12[ac * d1 + p] : 0)));
    }
  }
  for (let c = 0; c < k; c++) for (let c2 = c; c2 < k; c2++) {
    const cc = pairIdx(k, c, c2);
    for (let q = 0; q < m1; q++) for (let q2 = 0; q2 < m1; q2++) set(idx2(c, q), idx2(c2, q2), inv * R22[cc * nAt + pairIdx(m1, q, q2)]);
  }
  return out;
}
