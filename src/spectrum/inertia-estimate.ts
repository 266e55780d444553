import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
import { chebyshevMoments, dampedIndicator, jacksonDamping, seriesFromMoments, seriesOnCosineGrid } from "./chebyshev.js";
import { lanczosEigenpairs, type MatVec } from "./lanczos.js";
import { meanAndStandardError, studentTQuantile } from "./stats.js";

/**
 * Matrix-free inertia estimate (SPEC §1.4 counts, beyond the dense limit) after Di Napoli, Polizzi
 * & Saad 2016, "Efficient estimation of eigenvalue counts in an interval" (Numer. Linear Algebra
 * Appl. 23): for a symmetric A with spectrum in [a, b] and a zero tolerance τ,
 *
 *   n₋ = #{λ < −τ} = tr χ_{[a,−τ)}(A),  n₀ = #{|λ| ≤ τ} = tr χ_{[−τ,τ]}(A),  n₊ = P − n₋ − n₀,
 *
 * each indicator replaced by its degree-D Chebyshev expansion with Jackson damping in the mapped
 * variable t = (λ − c)/e, and each trace by Hutchinson's estimator with N Rademacher probes v_i:
 * tr p(A) ≈ (1/N) Σ_i v_iᵀ p(Â) v_i = (1/N) Σ_i Σ_k g_k γ_k μ_k^{(i)}, the moments μ_k^{(i)} coming
 * from D/2 products with A per probe (`chebyshevMoments`). One set of moments serves all three
 * counts; per probe they sum to P exactly.
 *
 * Confidence interval, for each count n with point estimate n̂ = mean over probes:
 *   n ∈ [n̂ − t·SE − β, n̂ + t·SE + β],
 * with SE the sample standard error over the N probes, t the two-sided Student-t quantile with
 * N − 1 degrees of freedom at the requested confidence, and β a bound on the polynomial bias
 * |tr p(A) − n| measured for each boundary s ∈ {−τ, τ} (n₀ adds the two):
 *   the step polynomial's error |p − χ| is evaluated on a fine grid of [−1, 1] (≥ 8D points by FFT, uniform
 *   in arccos t); for each level ε_1 > ε_2 > … > ε_L (0.3 … 1e-12) the transition band B_l around
 *   s is where that error exceeds ε_l (nested bands); by the layer-cake sum
 *     |tr p(A) − n| ≤ Σ_j |p − χ|(λ_j) ≤ ε_L·P + Σ_l (ε_{l−1} − ε_l)·#(λ ∈ B_l),  ε_0 = max|p − χ|,
 *   and #(λ ∈ B_l) ≤ (tr q_l(A) + η_l·P)/(1 − ε′_l) for the damped indicator q_l of the band
 *   widened by a factor w ∈ {1.25, 1.5, 2, 3} of its half-width (q_l ≥ 1 − ε′_l on B_l and
 *   q_l ≥ −η_l everywhere, both measured on the grid), tr q_l(A) taken at its upper confidence
 *   bound (mean + t·SE) from the same moments, the smallest bound over w kept, and made monotone
 *   in l (a band holds no more than a wider one).
 * The probe-noise part has the nominal confidence; the bias part adds a one-sided bound at the
 * same level, so by the union bound the coverage is at least 1 − 1.5·(1 − confidence) (92.5 % for
 * 0.95), and higher in practice because β is a worst case. Everything rests on [a, b] enclosing
 * the spectrum (`spectralBounds`, from a few Lanczos steps; a violation shows as |μ_k| > μ_0 and
 * triggers a wider retry).
 */

/** One estimated count with its confidence interval. */
export interface CountEstimate {
  /** Point estimate (mean over probes of vᵀp(Â)v). */
  estimate: number;
  /** Sample standard error over the probes. */
  standardError: number;
  /** Bound on the polynomial-approximation bias |tr p(A) − n|. */
  bias: number;
  /** t·SE + bias. */
  halfWidth: number;
  /** Whole-number interval [⌈n̂ − h⌉, ⌊n̂ + h⌋] ∩ [0, P] (widened outwards to the nearest integers if it holds none). */
  interval: [number, number];
}

/** The band B_ε = [lower, upper] (in λ) where the step polynomial errs by more than ε, and its eigenvalue count. */
export interface BandLevel {
  epsilon: number;
  lower: number;
  upper: number;
  /** Upper confidence bound on #(λ ∈ B_ε). */
  countUpper: number;
}

/** Transition band around one boundary and its contribution to the bias bound. */
export interface BoundaryBand extends BandLevel {
  /** The boundary λ = s (−τ or τ); lower/upper/epsilon/countUpper describe the band at ε = 0.01. */
  at: number;
  /** Bound on Σ_j |p − χ|(λ_j): ε_L·P + Σ_l (ε_{l−1} − ε_l)·#B_{ε_l} over all levels. */
  bias: number;
  /** max |p − χ| over [−1, 1] (measured on the grid). */
  maxError: number;
  levels: BandLevel[];
}

export interface InertiaEstimate {
  neg: CountEstimate;
  zero: CountEstimate;
  pos: CountEstimate;
  /** τ: |λ| ≤ τ counts as zero. */
  tolerance: number;
  /** Spectral enclosure [a, b] used for the Chebyshev map. */
  bounds: { lower: number; upper: number };
  degree: number;
  probes: number;
  confidence: number;
  /** Student-t quantile used (N − 1 degrees of freedom). */
  quantile: number;
  bands: { negative: BoundaryBand; positive: BoundaryBand };
  /** Products with A spent (bounds + probes). */
  matvecs: number;
  /** How many times the bounds were widened because a moment exceeded μ_0. */
  boundsRetries: number;
}

export interface InertiaEstimateOptions {
  /** Absolute zero tolerance τ (default `relativeTolerance`·max(|a|, |b|)). */
  tolerance?: number;
  /** τ relative to the spectral radius estimate when `tolerance` is not given (default 1e-3). */
  relativeTolerance?: number;
  /** Polynomial degree D (even; D/2 products per probe; default 400). */
  degree?: number;
  /** Number of Rademacher probes N ≥ 2 (default 20). */
  probes?: number;
  /** Two-sided confidence of the interval (default 0.95). */
  confidence?: number;
  seed?: number;
  /** Lanczos steps at most for the spectral bounds (default 150; stops when the extreme pairs converge). */
  boundsSteps?: number;
  /** Known spectral enclosure (skips the Lanczos bounds). */
  bounds?: { lower: number; upper: number };
  /** Called after each probe. */
  onProbe?: (done: number, total: number) => void;
}

/**
 * Spectral enclosure [a, b] of a symmetric operator by Lanczos (random start, full
 * reorthogonalisation) run until the extreme Ritz pairs have converged to 1e-4·‖A‖ or `steps`
 * (default 150) are spent: a = θ_min − (r_min + δ), b = θ_max + (r_max + δ) with the measured
 * residuals r = ‖Ay − θy‖ and a margin δ = 1e-3·(θ_max − θ_min). Extreme Ritz values converge
 * first and from inside (Zhou & Li 2011 use such Lanczos bounds for Chebyshev filters); the margin
 * matters near λ = 0, where a loose lower bound costs resolution. An estimate, not a proof:
 * `inertiaEstimate` checks it through the moments.
 */
export function spectralBounds(op: MatVec, P: number, opts: { steps?: number; seed?: number } = {}): { lower: number; upper: number; steps: number; matvecs: number } {
  const r = lanczosEigenpairs(op, P, { top: 1, bottom: 1, tol: 1e-4, maxSteps: Math.min(P, opts.steps ?? 150), seed: (opts.seed ?? 0) ^ 0x5bd1e995, checkEvery: 5 });
  const lo = r.bottom[0] ?? r.top[0], hi = r.top[0] ?? r.bottom[0];
  const delta = 1e-3 * Math.max(hi.value - lo.value, Math.abs(hi.value), Math.abs(lo.value), Number.MIN_VALUE);
  return { lower: lo.value - lo.residual - delta, upper: hi.value + hi.residual + delta, steps: r.steps, matvecs: r.matvecs };
}

/** Rademacher probes v ∈ {±1}^P from a seeded stream. */
function rademacher(rng: Rng, v: Float64Array): void {
  for (let i = 0; i < v.length; i += 32) {
    const bits = rng.nextU32();
    for (let j = 0; j < 32 && i + j < v.length; j++) v[i + j] = (bits >>> j) & 1 ? 1 : -1;
  }
}

/**
 * Estimate In(A) = (n₋, n₀, n₊) of a symmetric operator of size P with confidence intervals
 * (see the module comment for the method and how the interval is built). Cost: `boundsSteps`
 * + probes·degree/2 products with A; memory: three vectors of length P (plus the Lanczos basis
 * of the bounds).
 */
export function inertiaEstimate(op: MatVec, P: number, opts: InertiaEstimateOptions = {}): InertiaEstimate {
  const degree = opts.degree ?? 400, N = opts.probes ?? 20, confidence = opts.confidence ?? 0.95;
  if (!(Number.isInteger(degree) && degree >= 2 && degree % 2 === 0)) throw new InputError(`degree must be an even whole number ≥ 2, got ${degree}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new InputError(`probes must be a whole number ≥ 2, got ${N}`);
  if (!(confidence > 0 && confidence < 1)) throw new InputError(`confidence must be in (0, 1), got ${confidence}`);
  let matvecs = 0;
  const counted: MatVec = (x, y) => { matvecs++; op(x, y); };
  let bounds: { lower: number; upper: number };
  if (opts.bounds) bounds = { ...opts.bounds };
  else {
    const b = spectralBounds(counted, P, { steps: opts.boundsSteps, seed: opts.seed });
    bounds = { lower: b.lower, upper: b.upper };
  }
  if (!(bounds.upper > bounds.lower)) throw new InputError(`spectral bounds must satisfy lower < upper, got [${bounds.lower}, ${bounds.upper}]`);
  const radius = Math.max(Math.abs(bounds.lower), Math.abs(bounds.upper));
  const tolerance = opts.tolerance ?? (opts.relativeTolerance ?? 1e-3) * radius;
  if (!(tolerance >= 0)) throw new InputError(`zero tolerance must be ≥ 0, got ${tolerance}`);
  const K = degree / 2;
  const work = [new Float64Array(P), new Float64Array(P), new Float64Array(P)];
  const v = new Float64Array(P);
  let retries = 0;
  for (;;) {
    const rng = new Rng(opts.seed ?? 0);
    const c = 0.5 * (bounds.upper + bounds.lower), e = 0.5 * (bounds.upper - bounds.lower);
    const moments: Float64Array[] = [];
    let violated = false;
    for (let p = 0; p < N; p++) {
      rademacher(rng, v);
      const mu = chebyshevMoments(counted, P, K, c, e, v, new Float64Array(degree + 1), work);
      moments.push(mu);
      opts.onProbe?.(p + 1, N);
      let worst = 0;
      for (let k = 1; k <= degree; k++) worst = Math.max(worst, Math.abs(mu[k]));
      if (!Number.isFinite(worst) || worst > mu[0] * (1 + 1e-8)) { violated = true; break; }
    }
    if (violated) {
      if (retries >= 3 || opts.bounds) {
        throw new InputError(`the spectrum is not inside [${bounds.lower}, ${bounds.upper}]: a Chebyshev moment exceeds vᵀv${opts.bounds ? " (check the given bounds)" : " after 3 widenings"}`);
      }
      const w = bounds.upper - bounds.lower;
      bounds = { lower: bounds.lower - 0.25 * w, upper: bounds.upper + 0.25 * w };
      retries++;
      continue;
    }
    const r = estimateFromMoments(moments, P, { ...bounds, tolerance, degree, confidence });
    return { ...r, matvecs, boundsRetries: retries };
  }
}

/**
 * The counts, intervals and bias bounds of `inertiaEstimate` from given Chebyshev moments
 * (one Float64Array of length D + 1 per probe, Rademacher probes so that μ_0 = P) of the
 * operator mapped by [lower, upper]. Exposed so that one set of moments can be re-read at
 * another τ or confidence, and for validation.
 */
export function estimateFromMoments(
  moments: Float64Array[], P: number,
  o: { lower: number; upper: number; tolerance: number; degree?: number; confidence?: number },
): Omit<InertiaEstimate, "matvecs" | "boundsRetries"> {
  const N = moments.length;
  if (N < 2) throw new InputError("at least two probes are needed for a confidence interval");
  const degree = o.degree ?? moments[0].length - 1;
  const confidence = o.confidence ?? 0.95;
  const tq = studentTQuantile(confidence, N - 1);
  const c = 0.5 * (o.upper + o.lower), e = 0.5 * (o.upper - o.lower);
  const tau = o.tolerance;
  const damping = jacksonDamping(degree);
  const mapT = (lam: number): number => (lam - c) / e;
  // Step polynomials p_s ≈ χ_{λ ≥ s} for s = −τ and s = τ.
  const stepNeg = dampedIndicator(mapT(-tau), 1, degree, damping);
  const stepPos = dampedIndicator(mapT(tau), 1, degree, damping);
  const perProbe = (f: (mu: Float64Array) => number): Float64Array => Float64Array.from(moments, f);
  const sNeg = perProbe((mu) => seriesFromMoments(stepNeg, mu));
  const sPos = perProbe((mu) => seriesFromMoments(stepPos, mu));
  const negSamples = sNeg.map((x, i) => moments[i][0] - x); // 1 − p_{−τ}
  const zeroSamples = sNeg.map((x, i) => x - sPos[i]); // p_{−τ} − p_τ
  const posSamples = sPos;
  const bandNeg = boundaryBand(-tau, stepNeg, moments, P, degree, damping, tq, c, e);
  const bandPos = boundaryBand(tau, stepPos, moments, P, degree, damping, tq, c, e);
  const count = (x: Float64Array, bias: number): CountEstimate => {
    const { mean, standardError } = meanAndStandardError(x);
    const h = tq * standardError + bias;
    let lo = Math.max(0, Math.ceil(mean - h - 1e-9)), hi = Math.min(P, Math.floor(mean + h + 1e-9));
    if (lo > hi) { lo = Math.max(0, Math.floor(mean - h)); hi = Math.min(P, Math.ceil(mean + h)); }
    return { estimate: mean, standardError, bias, halfWidth: h, interval: [lo, hi] };
  };
  return {
    neg: count(negSamples, bandNeg.bias),
    zero: count(zeroSamples, bandNeg.bias + bandPos.bias),
    pos: count(posSamples, bandPos.bias),
    tolerance: tau,
    bounds: { lower: o.lower, upper: o.upper },
    degree, probes: N, confidence, quantile: tq,
    bands: { negative: bandNeg, positive: bandPos },
  };
}

/** θ_j = πj/M, t_j = cos θ_j, j = 0..M, with M the power of two ≥ max(2048, 8D): ≥ 16 points per period of T_D. */
function makeGrid(degree: number): { theta: Float64Array; t: Float64Array; M: number } {
  let M = 2048;
  while (M < 8 * degree) M *= 2;
  const theta = new Float64Array(M + 1), t = new Float64Array(M + 1);
  for (let j = 0; j <= M; j++) { theta[j] = (Math.PI * j) / M; t[j] = Math.cos(theta[j]); }
  return { theta, t, M };
}

/** Band widenings tried for the counting polynomial q (the smallest resulting bound is kept). */
const WIDENINGS = [1.25, 1.5, 2, 3];

const EPSILONS = [0.3, 0.1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12];

/** The moment-independent part of a boundary's bias bound: nested bands and their counting polynomials. */
interface BandGeometry {
  maxError: number;
  levels: Array<{ epsilon: number; lower: number; upper: number; counters: Array<{ q: Float64Array; epsBand: number; eta: number }> }>;
}

const geometryCache = new Map<string, BandGeometry>();

/** Nested bands B_l = {|p − χ| > ε_l} around λ = s on the grid, and for each the counting polynomials q (memoised: trials that share bounds, τ and D share it). */
function bandGeometry(s: number, step: Float64Array, degree: number, damping: Float64Array, c: number, e: number): BandGeometry {
  const key = `${s}|${c}|${e}|${degree}`;
  const hit = geometryCache.get(key);
  if (hit) return hit;
  const grid = makeGrid(degree);
  const ts = Math.min(1, Math.max(-1, (s - c) / e)), ths = Math.acos(ts);
  const G = grid.t.length, h = Math.PI / (G - 1);
  const err = new Float64Array(G);
  let maxError = 0;
  const pStep = seriesOnCosineGrid(step, grid.M);
  for (let j = 0; j < G; j++) {
    const chi = grid.theta[j] <= ths ? 1 : 0; // χ_{λ ≥ s} ⇔ t ≥ t_s ⇔ θ ≤ θ_s
    err[j] = Math.abs(pStep[j] - chi);
    maxError = Math.max(maxError, err[j]);
  }
  const lam = (th: number): number => c + e * Math.cos(th);
  const levels: BandGeometry["levels"] = [];
  for (const ep of EPSILONS.filter((x) => x < maxError)) {
    let dth = h;
    for (let j = 0; j < G; j++) if (err[j] > ep) dth = Math.max(dth, Math.abs(grid.theta[j] - ths));
    const counters: BandGeometry["levels"][number]["counters"] = [];
    for (const widen of WIDENINGS) {
      const qLoTh = Math.min(Math.PI, ths + widen * dth), qHiTh = Math.max(0, ths - widen * dth);
      if (qLoTh - qHiTh >= Math.PI) continue;
      const q = dampedIndicator(Math.cos(qLoTh), Math.cos(qHiTh), degree, damping);
      let qMin = Infinity, qBandMin = Infinity;
      const qGrid = seriesOnCosineGrid(q, grid.M);
      for (let j = 0; j < G; j++) {
        const val = qGrid[j];
        qMin = Math.min(qMin, val);
        if (Math.abs(grid.theta[j] - ths) <= dth) qBandMin = Math.min(qBandMin, val);
      }
      const epsBand = 1 - qBandMin;
      if (epsBand < 1) counters.push({ q, epsBand, eta: Math.max(0, -qMin) });
    }
    levels.push({ epsilon: ep, lower: lam(Math.min(Math.PI, ths + dth)), upper: lam(Math.max(0, ths - dth)), counters });
  }
  const g = { maxError, levels };
  if (geometryCache.size > 16) geometryCache.clear();
  geometryCache.set(key, g);
  return g;
}

/** The bias bound of the step polynomial at boundary λ = s (layer-cake over nested bands; see the module comment). */
function boundaryBand(s: number, step: Float64Array, moments: Float64Array[], P: number, degree: number, damping: Float64Array, tq: number, c: number, e: number): BoundaryBand {
  const geo = bandGeometry(s, step, degree, damping, c, e);
  const levels: BandLevel[] = geo.levels.map((l) => {
    let countUpper = P;
    for (const k of l.counters) {
      const { mean, standardError } = meanAndStandardError(Float64Array.from(moments, (mu) => seriesFromMoments(k.q, mu)));
      countUpper = Math.min(countUpper, Math.max(0, (mean + tq * standardError + k.eta * P) / (1 - k.epsBand)));
    }
    return { epsilon: l.epsilon, lower: l.lower, upper: l.upper, countUpper };
  });
  // nested bands: #B_l ≤ #B_{l'} for l' > l (smaller ε, wider band)
  for (let l = levels.length - 2; l >= 0; l--) levels[l].countUpper = Math.min(levels[l].countUpper, levels[l + 1].countUpper);
  // Σ_j |p − χ|(λ_j) ≤ ε_L·P + Σ_l (ε_{l−1} − ε_l)·#B_l with ε_0 = max|p − χ|
  const errMax = geo.maxError;
  let bias = levels.length ? levels[levels.length - 1].epsilon * P : errMax * P;
  for (let l = 0; l < levels.length; l++) bias += ((l === 0 ? errMax : levels[l - 1].epsilon) - levels[l].epsilon) * levels[l].countUpper;
  bias = Math.min(P, bias);
  const main = levels.find((x) => x.epsilon <= 1e-2) ?? levels[levels.length - 1] ?? { epsilon: errMax, lower: s, upper: s, countUpper: 0 };
  return { at: s, ...main, bias, maxError: errMax, levels };
}
