import { describe, expect, it } from 'vitest';
import { BITS_PER_COORDINATE, capacityBar, formatTokens, kuratovBoundTokens, natsToBits, vectorBits } from '../../src/shared/capacity.ts';

// The capacity bar's numbers: the bound, H_LM in bits and on the token scale, the marks' places.

describe('capacity bar', () => {
  it("Kuratov et al.'s bound: hidden × 16 bits over log2 of the vocabulary", () => {
    expect(BITS_PER_COORDINATE).toBe(16);
    expect(vectorBits(64)).toBe(1024);
    // stories260k: 64 coordinates, 512 tokens.
    expect(kuratovBoundTokens(64, 512)).toBeCloseTo(1024 / 9, 12);
    expect(formatTokens(kuratovBoundTokens(64, 512))).toBe('113.8');
    expect(kuratovBoundTokens(2048, 128256)).toBeCloseTo((2048 * 16) / Math.log2(128256), 9);
    expect(natsToBits(Math.LN2)).toBeCloseTo(1, 12);
  });

  it('places every mark on one token scale ending at the largest', () => {
    const b = capacityBar({ hidden: 64, vocabSize: 512, length: 20, correct: 12, best: 14, hLmNats: 45 * Math.LN2 });
    expect(b.max).toBeCloseTo(1024 / 9, 12);
    const at = Object.fromEntries(b.marks.map((m) => [m.key, m]));
    expect(at.best.tokens).toBe(14);
    expect(at.correct.tokens).toBe(12);
    expect(at.length.fraction).toBeCloseTo(20 / (1024 / 9), 12);
    expect(at.bound.fraction).toBeCloseTo(1, 12);
    // 45 bits priced at 9 bits a token: 5 tokens' worth, 45/1024 of the vector.
    expect(b.hLmBits).toBeCloseTo(45, 9);
    expect(at.hlm.tokens).toBeCloseTo(5, 9);
    expect(b.hLmShare).toBeCloseTo(45 / 1024, 12);
    expect(at.bound.label).toBe('bound 113.8');
    expect(at.bound.title).toContain('64 coordinates × 16 bits (float16) = 1024 bits');
    expect(at.hlm.title).toContain('45.0 bits');
    expect(b.caption).toContain('64 × 16 bits / log2 512 = 113.8 tokens (1024 bits)');
  });

  it('a text longer than the bound, or an H_LM beyond it, sets the end of the scale', () => {
    expect(capacityBar({ hidden: 64, vocabSize: 512, length: 300, correct: null, best: 0, hLmNats: null }).max).toBe(300);
    const over = capacityBar({ hidden: 64, vocabSize: 512, length: 100, correct: null, best: 0, hLmNats: 2000 * Math.LN2 });
    expect(over.max).toBeCloseTo(2000 / 9, 9);
    expect(over.hLmShare).toBeGreaterThan(1);
  });

  it('without H_LM or a current count, those marks are left out and the caption says H_LM is not known', () => {
    const b = capacityBar({ hidden: 64, vocabSize: 512, length: 8, correct: null, best: 8, hLmNats: null });
    expect(b.marks.map((m) => m.key)).toEqual(['best', 'length', 'bound']);
    expect(b.hLmTokens).toBeNull();
    expect(b.caption).toContain('H_LM: not known yet');
  });

  it('refuses a model it cannot price', () => {
    expect(() => capacityBar({ hidden: 0, vocabSize: 512, length: 1, correct: null, best: 0, hLmNats: null })).toThrow(/hidden size/);
    expect(() => capacityBar({ hidden: 64, vocabSize: 1, length: 1, correct: null, best: 0, hLmNats: null })).toThrow(/vocabulary/);
  });
});
