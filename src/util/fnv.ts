/**
 * Incremental 64-bit FNV-1a over 32-bit words (two 32-bit lanes, so no BigInt on the hot path).
 * Not cryptographic: it tells one set of weights from another, fed while they stream to the GPU.
 */
export class Fnv64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  word(w: number): void {
    this.lo ^= w & 0xffff;
    this.mix();
    this.lo ^= w >>> 16;
    this.mix();
  }

  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }

  // Multiply by the 64-bit FNV prime 0x100000001b3 in 16-bit limbs.
  private mix(): void {
    const lo = this.lo >>> 0;
    const hi = this.hi >>> 0;
    const l0 = lo & 0xffff;
    const l1 = lo >>> 16;
    const prod0 = l0 * 0x1b3;
    const prod1 = l1 * 0x1b3 + (prod0 >>> 16);
    const newLo = ((prod1 & 0xffff) << 16) | (prod0 & 0xffff);
    const carry = Math.floor(prod1 / 0x10000);
    const newHi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
    this.lo = newLo >>> 0;
    this.hi = newHi >>> 0;
  }
}
