import { describe, it, expect } from 'vitest';
import { collapseWhitespace, kuratovRun, sentenceOffsets, splitSentences, wordCount } from '../../src/datasets/text-recipes.ts';
import { decodeUtf8Strict, firstInvalidUtf8, NotUtf8Error } from '../../src/datasets/utf8.ts';
import { seedFor, seededShuffle } from '../../src/datasets/sources.ts';
import { sampleToken } from '../../src/model/sample.ts';
import { readData } from '../../src/datasets/data-dir.ts';
import { Rng } from '../../src/util/rng.ts';

describe('kuratovRun (Kuratov et al. chunking, second half kept)', () => {
  const sentences = splitSentences(collapseWhitespace(readData('pg19/test/10321.txt')));
  const words = (a: number, b: number) => sentences.slice(a, b).reduce((s, x) => s + wordCount(x), 0);

  it('draws a run of 12k-25k words of at least 10 sentences and keeps its second half', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = kuratovRun(sentences, new Rng(seed));
      expect(r.clamped).toBe(false);
      expect(r.end - r.start).toBeGreaterThanOrEqual(10);
      const w = words(r.start, r.end);
      expect(w).toBeGreaterThan(12_000);
      expect(w).toBeLessThan(25_000);
      expect(r.kept).toBe(r.start + Math.floor((r.end - r.start) / 2));
      expect(r.kept).toBeGreaterThan(0);
    }
  });

  it('is seeded: the same seed gives the same run, different seeds different runs', () => {
    expect(kuratovRun(sentences, new Rng(3))).toEqual(kuratovRun(sentences, new Rng(3)));
    const kept = new Set(Array.from({ length: 10 }, (_, s) => kuratovRun(sentences, new Rng(s)).kept));
    expect(kept.size).toBeGreaterThan(5);
  });

  it('texts shorter than the minimum draw over [words/2, words]; tiny texts are one run', () => {
    const short = sentences.slice(0, 400);
    const total = words(0, 400);
    const r = kuratovRun(short, new Rng(1));
    expect(r.clamped).toBe(true);
    expect(words(r.start, r.end)).toBeGreaterThanOrEqual(Math.floor(total / 2));
    expect(kuratovRun(['One.', 'Two.', 'Three.'], new Rng(0))).toEqual({ start: 0, end: 3, kept: 1, clamped: false });
    expect(() => kuratovRun([], new Rng(0))).toThrow(/no sentences/);
  });

  it('sentence offsets index the collapsed text', () => {
    const text = collapseWhitespace('  First one.  Second\n\none!  "Third?" Fourth. ');
    const s = splitSentences(text);
    expect(s.join(' ')).toBe(text);
    sentenceOffsets(s).forEach((o, i) => expect(text.slice(o).startsWith(s[i])).toBe(true));
  });
});

describe('strict UTF-8', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('accepts UTF-8 (BOM dropped) and names the first bad byte otherwise', () => {
    expect(firstInvalidUtf8(enc('plain, naïve, 日本, 🙂'))).toBe(-1);
    expect(decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'x')).toBe('a');
    const latin1 = Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x21]); // "café!" in Latin-1
    expect(firstInvalidUtf8(latin1)).toBe(3);
    expect(() => decodeUtf8Strict(latin1, 'notes.txt')).toThrow(NotUtf8Error);
    expect(() => decodeUtf8Strict(latin1, 'notes.txt')).toThrow('notes.txt is not UTF-8 text (invalid byte 0xe9 at offset 3)');
    expect(firstInvalidUtf8(Uint8Array.from([0xc0, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe6, 0x97]))).toBe(1); // cut short
    expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // > U+10FFFF
  });
});

describe('seeding helpers and the sampler', () => {
  it('seedFor and seededShuffle are deterministic and spread', () => {
    expect(seedFor(1, 'pg19/10146')).toBe(seedFor(1, 'pg19/10146'));
    expect(seedFor(1, 'pg19/10146')).not.toBe(seedFor(2, 'pg19/10146'));
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(seededShuffle(items, 5)).toEqual(seededShuffle(items, 5));
    expect(seededShuffle(items, 5)).not.toEqual(seededShuffle(items, 6));
    expect([...seededShuffle(items, 5)].sort((a, b) => a - b)).toEqual(items);
  });

  it('sampleToken follows softmax(logits / T), is greedy at T = 0 and never draws excluded ids', () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.2), 10];
    const allowed = (id: number) => id !== 3;
    const rng = new Rng(7);
    const n = 20_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[sampleToken(logits, rng, 1, allowed)]++;
    expect(counts[3]).toBe(0);
    [0.5, 0.3, 0.2].forEach((p, i) => expect(Math.abs(counts[i] / n - p)).toBeLessThan(0.015));
    // T = 2 flattens: p ∝ sqrt(p)
    const c2 = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) c2[sampleToken(logits, rng, 2, allowed)]++;
    const z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
    expect(Math.abs(c2[2] / n - Math.sqrt(0.2) / z)).toBeLessThan(0.015);
    expect(sampleToken(logits, rng, 0, allowed)).toBe(0);
    expect(() => sampleToken(logits, rng, 1, () => false)).toThrow(/No token may be sampled/);
  });
});
