import type { MatVec } from "./lanczos.js";

/**
 * Kernel polynomial method (KPM) building blocks for functions of a symmetric operator whose
 * spectrum lies in [lower, upper] (Weisse, Wellein, Alvermann & Fehske 2006, Rev. Mod. Phys. 78):
 * the affine map Â = (A − c·I)/e with c = (upper + lower)/2, e = (upper − lower)/2 puts the
 * spectrum in [−1, 1], where f(Â) ≈ Σ_k g_k γ_k T_k(Â) with Chebyshev coefficients γ_k of f and
 * Jackson damping factors g_k (which make the approximation of an indicator a convolution with a
 * positive kernel, so it stays within [0, 1] and has no Gibbs oscillations).
 */

/** Jackson damping g_0..g_D: g_k = [(N − k)cos(πk/N) + sin(πk/N)cot(π/N)]/N with N = D + 1 (Weisse et al. eq. 71). */
export function jacksonDamping(degree: number): Float64Array {
  const N = degree + 1, g = new Float64Array(N);
  const q = Math.PI / N, cot = Math.cos(q) / Math.sin(q);
  for (let k = 0; k < N; k++) g[k] = ((N - k) * Math.cos(q * k) + Math.sin(q * k) * cot) / N;
  return g;
}

/**
 * Chebyshev coefficients γ_0..γ_D of the indicator of [α, β] ⊂ [−1, 1] (undamped):
 * γ_0 = (arccos α − arccos β)/π, γ_k = 2(sin(k·arccos α) − sin(k·arccos β))/(kπ).
 */
export function indicatorCoefficients(alpha: number, beta: number, degree: number): Float64Array {
  const a = Math.acos(clamp(alpha)), b = Math.acos(clamp(beta));
  const c = new Float64Array(degree + 1);
  c[0] = (a - b) / Math.PI;
  for (let k = 1; k <= degree; k++) c[k] = (2 * (Math.sin(k * a) - Math.sin(k * b))) / (k * Math.PI);
  return c;
}

/** The damped series coefficients c_k = g_k·γ_k of the indicator of [α, β] ⊂ [−1, 1]. */
export function dampedIndicator(alpha: number, beta: number, degree: number, damping = jacksonDamping(degree)): Float64Array {
  const c = indicatorCoefficients(alpha, beta, degree);
  for (let k = 0; k <= degree; k++) c[k] *= damping[k];
  return c;
}

/** Σ_k c_k T_k(t) by Clenshaw's recurrence (t ∈ [−1, 1]). */
export function chebyshevSeries(c: ArrayLike<number>, t: number): number {
  let b1 = 0, b2 = 0;
  for (let k = c.length - 1; k >= 1; k--) {
    const b0 = 2 * t * b1 - b2 + c[k];
    b2 = b1;
    b1 = b0;
  }
  return t * b1 - b2 + c[0];
}

/** Σ_k c_k μ_k: the estimate vᵀp(Â)v of a series from the moments of one probe. */
export function seriesFromMoments(c: ArrayLike<number>, moments: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < c.length; k++) s += c[k] * moments[k];
  return s;
}

/**
 * Chebyshev moments μ_k = vᵀT_k(Â)v, k = 0..2K, of one probe v from K products with A
 * (Â = (A − c)/e): w_0 = v, w_1 = Âv, w_{k+1} = 2Âw_k − w_{k−1}, and the doubling identities
 * T_{2k} = 2T_k² − T_0, T_{2k+1} = 2T_{k+1}T_k − T_1 give μ_{2k} = 2w_kᵀw_k − μ_0 and
 * μ_{2k+1} = 2w_{k+1}ᵀw_k − μ_1 (Weisse et al. §II.D). `out` has length 2K + 1. Uses three
 * work vectors of length P; `op` is called exactly K times.
 */
export function chebyshevMoments(op: MatVec, P: number, K: number, center: number, halfWidth: number, v: Float64Array, out: Float64Array, work?: Float64Array[]): Float64Array {
  if (!(K >= 1)) throw new Error("chebyshevMoments needs K ≥ 1");
  if (out.length !== 2 * K + 1) throw new Error(`moments buffer has length ${out.length}, expected ${2 * K + 1}`);
  let prev = work?.[0] ?? new Float64Array(P), cur = work?.[1] ?? new Float64Array(P), next = work?.[2] ?? new Float64Array(P);
  const inv = 1 / halfWidth;
  prev.set(v);
  op(prev, cur); // cur = A v
  for (let i = 0; i < P; i++) cur[i] = (cur[i] - center * prev[i]) * inv;
  let mu0 = 0, mu1 = 0;
  for (let i = 0; i < P; i++) { mu0 += prev[i] * prev[i]; mu1 += prev[i] * cur[i]; }
  out[0] = mu0;
  out[1] = mu1;
  // w_1 known; μ_2 = 2 w_1ᵀw_1 − μ_0
  let s = 0;
  for (let i = 0; i < P; i++) s += cur[i] * cur[i];
  out[2] = 2 * s - mu0;
  for (let k = 1; k < K; k++) {
    op(cur, next); // next = A w_k
    let d = 0, e = 0;
    for (let i = 0; i < P; i++) {
      const w = 2 * (next[i] - center * cur[i]) * inv - prev[i];
      next[i] = w;
      d += w * cur[i];
      e += w * w;
    }
    out[2 * k + 1] = 2 * d - mu1;
    out[2 * k + 2] = 2 * e - mu0;
    const t = prev;
    prev = cur;
    cur = next;
    next = t;
  }
  return out;
}

function clamp(t: number): number {
  return t < -1 ? -1 : t > 1 ? 1 : t;
}

/**
 * A Chebyshev series on the grid t_j = cos(πj/M), j = 0..M (M a power of two > degree):
 * p_j = Σ_k c_k cos(πjk/M), as a DCT-I through one complex FFT of length 2M (even extension of
 * the coefficients), O(M log M) instead of O(M·D) by Clenshaw per point.
 */
export function seriesOnCosineGrid(c: ArrayLike<number>, M: number): Float64Array {
  if (M & (M - 1) || M <= c.length - 1) throw new RangeError(`grid size M = ${M} must be a power of two above the degree ${c.length - 1}`);
  const N = 2 * M, re = new Float64Array(N), im = new Float64Array(N);
  for (let k = 0; k < c.length; k++) { re[k] = c[k]; if (k > 0) re[N - k] = c[k]; }
  fftInPlace(re, im);
  const out = new Float64Array(M + 1);
  for (let j = 0; j <= M; j++) out[j] = 0.5 * (re[j] + c[0]);
  return out;
}

/** Iterative radix-2 Cooley–Tukey FFT (forward, e^{−2πi jk/N}), length a power of two. */
function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len, wr = Math.cos(ang), wi = Math.sin(ang), half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k, b = a + half;
        const xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}
