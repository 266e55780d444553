/**
 * PyTorch's CPU generator, bit for bit: `torch.Generator().manual_seed(seed)` is a 32-bit
 * Mersenne Twister (MT19937, Matsumoto & Nishimura 1998) seeded by the standard init_genrand, and
 * `torch.rand(…, dtype=float64)` draws each value from two 32-bit outputs r₁, r₂ as
 *   u = ((r₁·2³² + r₂) mod 2⁵³) / 2⁵³   (ATen's random64() and uniform_real_distribution<double>).
 * Used to start from exactly the θ that ../shared/bench/bench_census.py starts from (nn.Linear's
 * default U(±1/√fan_in) in SPEC §1.3 order), so outcome counts can be compared seed by seed.
 */
export class TorchGenerator {
  private readonly mt = new Uint32Array(624);
  private idx = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const x = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
    }
  }

  /** The next 32-bit MT19937 output. */
  nextU32(): number {
    const mt = this.mt;
    if (this.idx >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.idx = 0;
    }
    let y = mt[this.idx++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** One value of torch.rand (float64) in [0, 1). */
  rand(): number {
    const hi = this.nextU32(), lo = this.nextU32();
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }
}

/**
 * bench_census.py's `init(sizes, seed)`: per layer, (torch.rand(fo·fi + fo)·2 − 1)/√fi, i.e.
 * nn.Linear's default U(±1/√fan_in) for W (row-major) then b, concatenated (SPEC §1.3 order).
 */
export function torchDefaultInit(widths: readonly number[], seed: number, out?: Float64Array): Float64Array {
  let P = 0;
  for (let l = 1; l < widths.length; l++) P += widths[l] * (widths[l - 1] + 1);
  const theta = out ?? new Float64Array(P);
  const g = new TorchGenerator(seed);
  let o = 0;
  for (let l = 1; l < widths.length; l++) {
    const fi = widths[l - 1], fo = widths[l], s = Math.sqrt(fi);
    for (let i = 0; i < fo * fi + fo; i++) theta[o++] = (g.rand() * 2 - 1) / s;
  }
  return theta;
}
