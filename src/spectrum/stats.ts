/**
 * Two-sided Student-t quantile: the t with P(|T_ν| ≤ t) = confidence for an integer number of
 * degrees of freedom ν ≥ 1, by bisection on the exact finite-series CDF (Abramowitz & Stegun
 * 26.7.3–26.7.4): with θ = arctan(t/√ν),
 *   ν odd:  A = (2/π)[θ + sinθ·cosθ·(1 + (2/3)cos²θ + … + (2·4⋯(ν−3))/(1·3⋯(ν−2))·cos^{ν−3}θ)]  (ν = 1: 2θ/π),
 *   ν even: A = sinθ·(1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + … + (1·3⋯(ν−3))/(2·4⋯(ν−2))·cos^{ν−2}θ).
 */
export function studentTQuantile(confidence: number, df: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  let lo = 0, hi = 1;
  while (studentTCentral(hi, df) < confidence) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCentral(mid, df) < confidence) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** P(|T_ν| ≤ t) for integer ν ≥ 1 (A&S 26.7.3–4). */
export function studentTCentral(t: number, df: number): number {
  const th = Math.atan(Math.abs(t) / Math.sqrt(df));
  const s = Math.sin(th), c = Math.cos(th), c2 = c * c;
  if (df % 2 === 1) {
    if (df === 1) return (2 * th) / Math.PI;
    let term = 1, sum = 1;
    for (let j = 2; j <= df - 3 + 1e-9; j += 2) {
      term *= (j / (j + 1)) * c2;
      sum += term;
    }
    return (2 / Math.PI) * (th + s * c * sum);
  }
  let term = 1, sum = 1;
  for (let j = 1; j <= df - 3 + 1e-9; j += 2) {
    term *= (j / (j + 1)) * c2;
    sum += term;
  }
  return s * sum;
}

/** Sample mean and standard error s/√N (s with the N − 1 denominator) of a list of numbers. */
export function meanAndStandardError(x: ArrayLike<number>): { mean: number; standardError: number } {
  const N = x.length;
  let m = 0;
  for (let i = 0; i < N; i++) m += x[i];
  m /= N;
  let v = 0;
  for (let i = 0; i < N; i++) v += (x[i] - m) ** 2;
  return { mean: m, standardError: N > 1 ? Math.sqrt(v / (N - 1) / N) : Infinity };
}
