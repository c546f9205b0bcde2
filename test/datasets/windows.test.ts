import { describe, it, expect, beforeAll } from 'vitest';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { sourceByName, pg19Documents, SOURCE_NAMES } from '../../src/datasets/node/sources.ts';
import { SourceError, windowSource, documentFromString, type SkippedText, type SourceText } from '../../src/datasets/sources.ts';
import { collapseWhitespace } from '../../src/datasets/text-recipes.ts';
import { readData } from '../../src/datasets/data-dir.ts';
import { STORIES } from '../helpers/fixtures.ts';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
});

const ids = (texts: SourceText[]) => texts.map((t) => t.id);

describe('pg19-windows source', () => {
  // One source object for the whole block: the books are tokenized once and reused from its cache.
  const src = sourceByName('pg19-windows');
  const L = 16;

  it('says it uses the 50 extra books only and is a known source name', () => {
    expect(SOURCE_NAMES).toContain('pg19-windows');
    expect(src.describe).toMatch(/^pg19-windows: .*50 extra PG-19 books \(pg19\/extra\) only.*44 test-split books \(source pg19\) are never used/);
  });

  it('gives thousands of windows of exactly length tokens, unique ids, text the decode of the tokens', async () => {
    const t0 = performance.now();
    const texts = await src.texts({ tokenizer, length: L, count: 5000, seed: 1 });
    const first = performance.now() - t0;
    expect(texts).toHaveLength(5000);
    expect(new Set(ids(texts)).size).toBe(5000);
    for (const t of texts) {
      expect(t.tokens).toHaveLength(L);
      expect(t.text).toBe(tokenizer.decode(t.tokens));
      expect(t.id).toMatch(/^pg19\/\d+@\d+$/);
      expect(t.source).toBe('pg19-windows');
      expect(t.origin!.title).toBeTruthy();
    }
    // repeated calls reuse the tokenization: much faster than the first
    const t1 = performance.now();
    await src.texts({ tokenizer, length: L, count: 5000, seed: 2 });
    expect(performance.now() - t1).toBeLessThan(Math.max(first / 2, 50));
  });

  it('no window comes from a test-split book', async () => {
    const test = new Set(pg19Documents({ splits: ['test'] }).map((d) => d.id));
    const extra = new Set(pg19Documents({ splits: ['extra'] }).map((d) => d.id));
    expect(test.size).toBe(44);
    expect(extra.size).toBe(50);
    const all = await src.texts({ tokenizer, length: L, seed: 0 });
    expect(all.length).toBeGreaterThan(5000);
    const books = new Set(all.map((t) => t.id.split('@')[0]));
    expect(books.size).toBe(50);
    for (const b of books) {
      expect(extra.has(b)).toBe(true);
      expect(test.has(b)).toBe(false);
    }
  });

  it('windows are consecutive and non-overlapping in the book, from its start, with an approximate charStart', async () => {
    const all = await src.texts({ tokenizer, length: L, seed: 0 });
    const id = all[0].id.split('@')[0];
    const book = all.filter((t) => t.id.startsWith(`${id}@`)).sort((a, b) => Number(a.id.split('@')[1]) - Number(b.id.split('@')[1]));
    const ks = book.map((t) => Number(t.id.split('@')[1]));
    expect(ks).toEqual(ks.map((_, i) => i));
    const text = collapseWhitespace(readData(`pg19/extra/${id.slice(5)}.txt`)).slice(0, 20000);
    const tokens = tokenizer.encode(text.slice(0, text.lastIndexOf(' ', 20000)));
    expect(book.flatMap((t) => t.tokens)).toEqual(tokens.slice(0, book.length * L));
    expect(Math.floor(tokens.length / L)).toBe(book.length);
    for (const t of book.slice(0, 50)) {
      const at = t.origin!.charStart;
      const head = t.text.trimStart().slice(0, 10);
      // the window's text is found in the book near where charStart says
      expect(text.indexOf(head, Math.max(0, at - 20))).toBeGreaterThanOrEqual(0);
      expect(Math.abs(text.indexOf(head, Math.max(0, at - 20)) - at)).toBeLessThan(20);
    }
  });

  it('is deterministic per seed, different across seeds, and a text does not depend on count', async () => {
    const a = await src.texts({ tokenizer, length: L, count: 200, seed: 7 });
    expect(await src.texts({ tokenizer, length: L, count: 200, seed: 7 })).toEqual(a);
    // a fresh source object gives the same (small maxChars: tokenizing all 50 books again takes seconds)
    const small = () => windowSource('pg19-windows', pg19Documents({ splits: ['extra'] }), { maxChars: 2000 });
    const s1 = await small().texts({ tokenizer, length: L, count: 200, seed: 7 });
    expect(await small().texts({ tokenizer, length: L, count: 200, seed: 7 })).toEqual(s1);
    const b = await src.texts({ tokenizer, length: L, count: 200, seed: 8 });
    expect(ids(b)).not.toEqual(ids(a));
    expect(ids(b).filter((x) => ids(a).includes(x)).length).toBeLessThan(50);
    const fewer = await src.texts({ tokenizer, length: L, count: 20, seed: 7 });
    expect(fewer).toEqual(a.slice(0, 20));
    const longer = await src.texts({ tokenizer, length: 32, count: 20, seed: 7 });
    longer.forEach((t) => expect(t.tokens).toHaveLength(32));
  });

  it('asking for more windows than there are says how many there are and what to do', async () => {
    const n = (await src.texts({ tokenizer, length: 512, seed: 0 })).length;
    expect(n).toBeGreaterThan(100);
    const err = await src.texts({ tokenizer, length: 512, count: n + 1, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toBe(
      `pg19-windows: ${n + 1} windows asked for, but its 50 documents (the first 20000 characters of each) give only ${n} windows of 512 tokens; ask for at most ${n}, or use shorter windows (fewer tokens each).`,
    );
    expect(await src.texts({ tokenizer, length: 512, count: n, seed: 0 })).toHaveLength(n);
  });
});

describe('windowSource', () => {
  it('cuts documents to maxChars at a word boundary, skips those too short for one window, caches per tokenizer', async () => {
    let loads = 0;
    const long = { id: 'long', title: 'Long', load: () => (loads++, 'Once  upon a time\nthere was a little dog. '.repeat(20)) };
    const src = windowSource('w', [long, documentFromString('short', 'Hi.')], { maxChars: 100 });
    const skipped: SkippedText[] = [];
    const texts = await src.texts({ tokenizer, length: 4, seed: 3, onSkip: (s) => skipped.push(s) });
    expect(skipped).toEqual([{ id: 'short', reason: expect.stringMatching(/^it has only \d+ tokens; 4 were asked for$/) }]);
    const cut = collapseWhitespace(long.load()).slice(0, 100);
    const expected = tokenizer.encode(cut.slice(0, cut.lastIndexOf(' ', 100)));
    expect(texts).toHaveLength(Math.floor(expected.length / 4));
    const ordered = texts.slice().sort((a, b) => Number(a.id.split('@')[1]) - Number(b.id.split('@')[1]));
    expect(ordered.flatMap((t) => t.tokens)).toEqual(expected.slice(0, texts.length * 4));
    expect(ordered[0].origin).toEqual({ title: 'Long', charStart: 0 });
    loads = 0;
    await src.texts({ tokenizer, length: 8, seed: 3 });
    expect(loads).toBe(0);
    await expect(src.texts({ tokenizer, length: 4, count: 1000 })).rejects.toThrow(/w: 1000 windows asked for, but its 2 documents \(the first 100 characters of each\) give only \d+ windows of 4 tokens; ask for at most \d+/);
  });
});
