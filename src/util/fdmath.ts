/**
 * Engine-independent elementary functions. `Math.exp`, `Math.log`, `Math.tanh` and `**` are not specified to
 * the bit by ECMAScript and do differ between JavaScript engines — measured between Node 20 (V8 11.3) and
 * Chromium 156: ≈9 % of exp, ≈8 % of log, ≈0.06 % of tanh arguments and ≈10 % of Adam's βᵗ differ in the last
 * bit, so a result would depend on where it was computed (the explorer in a browser vs the library in Node).
 * These use only +, −, ×, ÷, comparisons and bit manipulation, which IEEE 754 fixes exactly, so every engine
 * gives the same bits.
 *
 * `exp`, `log`, `expm1` and `tanh` are ports of fdlibm's e_exp.c, e_log.c, s_expm1.c and s_tanh.c (Sun
 * Microsystems 1993, < 1 ulp) — the code V8 itself uses — and reproduce Node 20's Math functions exactly
 * (tested on 10⁶ arguments and the special values). The explorer's browser bundle substitutes them for the
 * Math functions (tools/build-explorer.mjs), so the page computes what Node computes; in Node the built-ins are
 * kept (they are faster). `powi` (exponentiation by squaring) gives Adam's bias corrections βᵗ everywhere.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: u32[0] low word, u32[1] high word

function high(x: number): number { f64[0] = x; return u32[1] | 0; }
function low(x: number): number { f64[0] = x; return u32[0]; }
function withHigh(x: number, hi: number): number { f64[0] = x; u32[1] = hi >>> 0; return f64[0]; }

/** b^n for an integer n ≥ 0 by repeated squaring (deterministic; Adam's β₁ᵗ, β₂ᵗ). */
export function powi(b: number, n: number): number {
  let r = 1, x = b, k = n;
  while (k > 0) {
    if (k & 1) r *= x;
    x *= x;
    k = Math.floor(k / 2);
  }
  return r;
}

const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
const O_THRESHOLD = 7.09782712893383973096e+02, U_THRESHOLD = -7.45133219101941108420e+02, TWOM1000 = 9.33263618503218878990e-302;

/** eˣ (fdlibm e_exp.c: argument reduction x = k·ln2 + r, a Remez rational approximation of r). */
export function exp(x: number): number {
  if (x === 1) return Math.E; // as V8 does (fdlibm's polynomial gives E + 1 ulp)
  let hx = high(x);
  const xsb = (hx >>> 31) & 1;
  hx &= 0x7fffffff;
  let hi = 0, lo = 0, k = 0;
  if (hx >= 0x40862e42) { // |x| ≥ 709.78
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low(x)) !== 0) return x + x; // NaN
      return xsb === 0 ? x : 0; // e^{±∞}
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  if (hx > 0x3fd62e42) { // |x| > 0.5 ln2
    if (hx < 0x3ff0a2b2) { // |x| < 1.5 ln2
      hi = xsb === 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb === 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = Math.trunc(INV_LN2 * x + (xsb === 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) { // |x| < 2⁻²⁸
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  if (k >= -1021) return withHigh(y, high(y) + (k << 20));
  return withHigh(y, high(y) + ((k + 1000) << 20)) * TWOM1000;
}

const LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01, LG4 = 2.222219843214978396e-01,
  LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01, LG7 = 1.479819860511658591e-01;
const TWO54 = 1.80143985094819840000e+16;

/** ln x (fdlibm e_log.c: x = 2ᵏ(1+f), log(1+f) = f − s(f − R(z)) with s = f/(2+f)). */
export function log(x: number): number {
  let hx = high(x);
  const lx = low(x);
  let k = 0;
  if (hx < 0x00100000) { // x < 2⁻¹⁰²²
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity; // log(±0)
    if (hx < 0) return NaN; // log(negative)
    k -= 54;
    x *= TWO54; // subnormal: scale up
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHigh(x, hx | (i ^ 0x3ff00000)); // normalise x or x/2
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2⁻²⁰
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : k * LN2_HI - ((R - k * LN2_LO) - f);
  }
  const s = f / (2 + f), dk = k, z = s * s;
  let ii = hx - 0x6147a;
  const w = z * z, j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6)), t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  ii |= j;
  const R = t2 + t1;
  if (ii > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

/**
 * ln(1 + u) for u > −1, accurate to a few ulps also for tiny u (Goldberg 1991, Thm 4): with w = 1 + u rounded,
 * ln(1+u) ≈ ln(w)·u/(w − 1), which cancels the rounding error of w; w = 1 returns u.
 */
export function log1p(u: number): number {
  const w = 1 + u;
  if (w === 1) return u;
  if (w === Infinity) return Infinity;
  return (log(w) * u) / (w - 1);
}

const Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03, Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06, Q5 = -2.01099218183624371326e-07;

/** eˣ − 1, accurate near 0 (fdlibm s_expm1.c). */
export function expm1(x: number): number {
  const hx = high(x) & 0x7fffffff;
  if (hx >= 0x4043687a) { // |x| ≥ 56 ln2
    if (hx >= 0x7ff00000) return x !== x ? x : x > 0 ? x : -1; // NaN, ±∞
    if (x > O_THRESHOLD) return Infinity;
    if (x < 0) return -1;
  }
  return expm1Core(x);
}

// expm1's branch points as doubles (the high-word comparisons of s_expm1.c with a zero low word)
const HALF_LN2_UP = withHigh(0, 0x3fd62e43), THREE_HALF_LN2 = withHigh(0, 0x3ff0a2b2), TWO_M54 = 2 ** -54;
const POW2 = Float64Array.from({ length: 141 }, (_, i) => 2 ** (i - 70)); // exact powers 2⁻⁷⁰ … 2⁷⁰

/** y·2ᵏ exactly: a table multiplication in tanh's range, the exponent-field update of s_expm1.c beyond it. */
function scale2(y: number, k: number): number {
  return k >= -70 && k <= 70 ? y * POW2[k + 70] : withHigh(y, high(y) + (k << 20));
}

/**
 * s_expm1.c after its filters (finite x ≤ 709.78, x > −56 ln2): argument reduction x = k·ln2 + r, a rational
 * approximation on r, reconstruction by exact scaling — no bit manipulation in tanh's range, so the hot loop of
 * `tanh` stays in registers.
 */
function expm1Core(x: number): number {
  const ax = Math.abs(x);
  let hi = 0, lo = 0, k = 0, c = 0;
  if (ax >= HALF_LN2_UP) {
    if (ax < THREE_HALF_LN2) {
      if (x > 0) { hi = x - LN2_HI; lo = LN2_LO; k = 1; } else { hi = x + LN2_HI; lo = -LN2_LO; k = -1; }
    } else {
      k = Math.trunc(INV_LN2 * x + (x > 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (ax < TWO_M54) return x;
  const hfx = 0.5 * x, hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  let t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) return scale2(1 - (e - x), k) - 1;
  if (k < 20) { t = 1 - POW2[70 - k]; return scale2(t - (e - x), k); }
  t = POW2[70 - k];
  return scale2(x - (e + t) + 1, k);
}

/** tanh x (fdlibm s_tanh.c through expm1, with V8's tiny-argument cut-off, so it equals Node 20's Math.tanh). */
export function tanh(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 22)) return x !== x ? x : x > 0 ? 1 : -1; // NaN, |x| ≥ 22 (tanh = ±1 to rounding), ±∞
  if (ax < 3.725290298461914e-9) return x; // |x| < 2⁻²⁸
  let z: number;
  if (ax >= 1) { const t = expm1Core(2 * ax); z = 1 - 2 / (t + 2); }
  else { const t = expm1Core(-2 * ax); z = -t / (t + 2); }
  return x >= 0 ? z : -z;
}
