import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { eigenSystem } from "../linalg/inertia.js";
import { activation } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";

/**
 * Deflation (Farrell, Birkisson & Funke 2015) applied to ∇R = 0: known critical points θ_k are removed as solutions
 * by solving r(θ) = D(θ)∇R(θ) = 0 with D(θ) = Π_k (‖θ − θ_k‖^{−2} + 1), so a solver started near a known point is
 * pushed away from it instead of converging to it again. Levenberg–Marquardt on ½‖r‖²: J = D·H + ∇R ∇Dᵀ,
 * ∇D = D Σ_k ∇m_k/m_k with m_k = ‖θ−θ_k‖^{−2} + 1, ∇m_k = −2(θ−θ_k)/‖θ−θ_k‖⁴; each step solves
 * (JᵀJ + μI)p = −Jᵀr in JᵀJ's eigenbasis. Stops at ‖∇R‖ ≤ tol, or when no μ reduces ‖r‖. The result is a start
 * for the ordinary solver (which polishes it); deflation only removes points, not the flat families through them.
 */
export function deflatedSolve(net: Net, data: Dataset, known: readonly Float64Array[], opts: { maxIter?: number; tol?: number } = {}): { theta: Float64Array; gradNorm: number; iterations: number } {
  const maxIter = opts.maxIter ?? 100, tol = opts.tol ?? 1e-10;
  const ev = new Evaluator(net.arch, data), P = ev.P;
  let theta = Float64Array.from(net.theta);
  const g = new Float64Array(P), H = new Float64Array(P * P), J = new Float64Array(P * P), JtJ = new Float64Array(P * P);
  const residual = (t: Float64Array, grad: Float64Array): { r: Float64Array; D: number; dD: Float64Array } => {
    ev.lossAndGradient(t, grad);
    let D = 1;
    const dD = new Float64Array(P);
    for (const k of known) {
      let d = 0;
      for (let i = 0; i < P; i++) d += (t[i] - k[i]) ** 2;
      d = Math.max(d, 1e-300);
      const m = 1 / d + 1;
      D *= m;
      for (let i = 0; i < P; i++) dD[i] += (-2 * (t[i] - k[i])) / (d * d) / m;
    }
    for (let i = 0; i < P; i++) dD[i] *= D;
    return { r: grad.map((x) => D * x), D, dD };
  };
  let cur = residual(theta, g);
  let rn = norm2(cur.r), mu = 0, it = 0;
  const g2 = new Float64Array(P);
  for (; it < maxIter && norm2(g) > tol; it++) {
    ev.hessian(theta, H);
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) J[a * P + b] = cur.D * H[a * P + b] + g[a] * cur.dD[b];
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) { let s = 0; for (let c = 0; c < P; c++) s += J[c * P + a] * J[c * P + b]; JtJ[a * P + b] = s; }
    const jr = new Float64Array(P);
    for (let a = 0; a < P; a++) { let s = 0; for (let c = 0; c < P; c++) s += J[c * P + a] * cur.r[c]; jr[a] = s; }
    const { values, vectors } = eigenSystem(JtJ, P);
    const lmax = Math.max(...Array.from(values, Math.abs));
    const coef = Array.from({ length: P }, (_, i) => { let s = 0; for (let j = 0; j < P; j++) s += vectors[i * P + j] * jr[j]; return s; });
    let accepted = false;
    for (let tries = 0; tries < 30 && !accepted; tries++) {
      const trial = Float64Array.from(theta);
      for (let i = 0; i < P; i++) {
        const c = -coef[i] / (values[i] + mu);
        if (!Number.isFinite(c)) continue;
        for (let j = 0; j < P; j++) trial[j] += c * vectors[i * P + j];
      }
      const nx = residual(trial, g2);
      const nrn = norm2(nx.r);
      if (Number.isFinite(nrn) && nrn < rn) {
        theta = trial; g.set(g2); cur = nx; rn = nrn; mu /= 10; accepted = true;
      } else mu = mu === 0 ? 1e-10 * lmax + Number.MIN_VALUE : mu * 10;
    }
    if (!accepted) break;
  }
  return { theta, gradNorm: norm2(g), iterations: it };
}

/**
 * Every copy of a one-hidden-layer θ under the symmetries of the net: the m! permutations of hidden neurons times,
 * for odd σ, the 2^m sign flips (w_j, b_j, a_j) ↦ (−w_j, −b_j, −a_j). At most `limit` copies (the identity first).
 */
export function symmetryCopies(widths: readonly number[], act: string, theta: Float64Array, limit = 2000): Float64Array[] {
  if (widths.length !== 3) return [Float64Array.from(theta)];
  const [d, m, k] = widths;
  const odd = activation(act).odd;
  const perms: number[][] = [];
  const permute = (p: number[], rest: number[]): void => {
    if (perms.length >= limit) return;
    if (!rest.length) { perms.push(p); return; }
    for (let i = 0; i < rest.length; i++) permute([...p, rest[i]], [...rest.slice(0, i), ...rest.slice(i + 1)]);
  };
  permute([], Array.from({ length: m }, (_, j) => j));
  const out: Float64Array[] = [];
  const signsCount = odd ? 1 << m : 1;
  for (const p of perms) for (let s = 0; s < signsCount && out.length < limit; s++) {
    const t = Float64Array.from(theta);
    for (let j = 0; j < m; j++) {
      const src = p[j], sg = (s >> j) & 1 ? -1 : 1;
      for (let c = 0; c < d; c++) t[j * d + c] = sg * theta[src * d + c];
      t[m * d + j] = sg * theta[m * d + src];
      for (let i = 0; i < k; i++) t[m * d + m + i * m + j] = sg * theta[m * d + m + i * m + src];
    }
    out.push(t);
  }
  return out;
}
