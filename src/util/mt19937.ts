/**
 * MT19937 (Matsumoto & Nishimura 1998), bit-compatible with PyTorch's CPU generator
 * (`torch.Generator().manual_seed(s)`), and its float64 uniform: `torch.rand` in double takes one
 * 64-bit draw (first 32-bit output as the high word, second as the low word) and keeps its low
 * 53 bits, u = (x mod 2⁵³)·2⁻⁵³. Lets a census start from exactly the reference's initial points.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  /** Seed as `manual_seed(seed)` does (the seed is truncated to 32 bits). */
  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const x = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253·x + i mod 2³², split to stay exact in doubles
      mt[i] = ((((x >>> 16) * 1812433253) & 0xffff) * 65536 + (x & 0xffff) * 1812433253 + i) >>> 0;
    }
  }

  /** Next 32-bit output. */
  nextU32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        let v = mt[(i + 397) % 624] ^ (y >>> 1);
        if (y & 1) v ^= 0x9908b0df;
        mt[i] = v >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `torch.rand` in float64: uniform on [0, 1) from the low 53 bits of one 64-bit draw. */
  uniform(): number {
    const hi = this.nextU32() & 0x1fffff; // low 21 bits of the high word
    const lo = this.nextU32();
    return (hi * 4294967296 + lo) / 9007199254740992;
  }
}
