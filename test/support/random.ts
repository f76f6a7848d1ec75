// Deterministic pseudo-random values for tests (xorshift128+ seeded by a number): the same seed gives the
// same values on every run and machine, so a failing case can be replayed.
export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    this.s0 = BigInt(seed) ^ 0x9e3779b97f4a7c15n;
    this.s1 = (BigInt(seed) * 0xbf58476d1ce4e5b9n + 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    for (let i = 0; i < 16; i++) this.nextU64();
  }
  /** A uniformly distributed unsigned 64-bit integer. */
  nextU64(): bigint {
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 ^= (s1 << 23n) & 0xffffffffffffffffn;
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.s1 + s0) & 0xffffffffffffffffn;
  }
  /** An integer in [0, 2**32). */
  nextU32(): number {
    return Number(this.nextU64() >> 32n);
  }
  /** An integer in [0, n) for n ≤ 2**53. */
  int(n: number): number {
    return Number(this.nextU64() % BigInt(n));
  }
  /** A float in [0, 1). */
  float(): number {
    return Number(this.nextU64() >> 11n) / 2 ** 53;
  }
  bool(): boolean {
    return (this.nextU64() & 1n) === 1n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      let v = this.nextU64();
      for (let j = i; j < Math.min(n, i + 8); j++) {
        out[j] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    return out;
  }
}
