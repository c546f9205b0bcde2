import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { sourceByName, folderSource, fileSource, pg19Documents, recentDocuments } from '../../src/datasets/node/sources.ts';
import { SourceError, plainTextsSource, documentFromString, randomWordsSource, type SkippedText, type SourceText } from '../../src/datasets/sources.ts';
import { pastedTextSource, uploadedSource } from '../../src/datasets/browser.ts';
import { collapseWhitespace, splitSentences } from '../../src/datasets/text-recipes.ts';
import { readData, gloveWords, listData } from '../../src/datasets/data-dir.ts';
import { threeSamples } from '../../src/datasets/samples.ts';
import { STORIES } from '../helpers/fixtures.ts';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
});

const ids = (texts: SourceText[]) => texts.map((t) => t.id);
/** The decode of a cut may end in a partial UTF-8 character (byte fallback): compare without it. */
const whole = (s: string) => s.replace(/\uFFFD+$/u, '');

function expectExactLength(texts: SourceText[], length: number) {
  for (const t of texts) {
    expect(t.tokens).toHaveLength(length);
    expect(t.text).toBe(tokenizer.decode(t.tokens));
  }
}

describe('pg19 source', () => {
  const L = 48;
  it('gives count texts of exactly length tokens, one per book, deterministic per seed and different across seeds', async () => {
    const src = sourceByName('pg19');
    const a = await src.texts({ tokenizer, length: L, count: 6, seed: 1 });
    expect(a).toHaveLength(6);
    expectExactLength(a, L);
    expect(new Set(ids(a)).size).toBe(6);
    a.forEach((t) => expect(t.id).toMatch(/^pg19\/\d+$/));
    expect(await src.texts({ tokenizer, length: L, count: 6, seed: 1 })).toEqual(a);
    const b = await src.texts({ tokenizer, length: L, count: 6, seed: 2 });
    expect(ids(b)).not.toEqual(ids(a));
    // the same book under two seeds: different runs
    const all1 = await src.texts({ tokenizer, length: 8, seed: 1 });
    const all2 = await src.texts({ tokenizer, length: 8, seed: 2 });
    expect(all1).toHaveLength(pg19Documents().length);
    const starts2 = new Map(all2.map((t) => [t.id, t.origin!.charStart]));
    const differing = all1.filter((t) => starts2.get(t.id) !== t.origin!.charStart).length;
    expect(differing).toBeGreaterThan(all1.length * 0.9);
    // a text does not depend on how many were asked for
    const first = a[0];
    expect(all1.find((t) => t.id === first.id)!.origin).toEqual(first.origin);
  });

  it('runs are whole sentences from the middle of the book, the second half of the drawn run', async () => {
    const texts = await sourceByName('pg19').texts({ tokenizer, length: L, count: 10, seed: 4 });
    for (const t of texts) {
      const book = collapseWhitespace(readData(`pg19/test/${t.id.slice(5)}.txt`));
      const sentences = splitSentences(book);
      const o = t.origin!;
      expect(o.title).toBeTruthy();
      expect(o.sentences).toBe(sentences.length);
      const [start, end] = o.run!;
      expect(o.sentence).toBe(start + Math.floor((end - start) / 2));
      // not the start: well inside the book, at a sentence boundary
      expect(o.sentence!).toBeGreaterThan(5);
      expect(o.charStart).toBeGreaterThan(book.length / 20);
      expect(book[o.charStart - 1]).toBe(' ');
      expect(book.slice(0, o.charStart - 1)).toMatch(/[.!?]["'”’)\]]?$/u);
      expect(book.slice(o.charStart).startsWith(sentences[o.sentence!])).toBe(true);
      // the tokens are the start of that sentence run
      expect(book.slice(o.charStart).startsWith(whole(t.text))).toBe(true);
      expect(whole(t.text).length).toBeGreaterThan(L / 2);
    }
  });

  it('says so when no book is long enough, and when more books are asked for than there are', async () => {
    const src = sourceByName('pg19');
    await expect(src.texts({ tokenizer, length: 8, count: 500, seed: 0 })).rejects.toThrow(/500 texts of 8 tokens asked for, but only \d+ of its \d+ texts could give them/);
    const tiny = plainTextsSource('tiny', [documentFromString('a', 'Too short.')]);
    const skipped: SkippedText[] = [];
    await expect(tiny.texts({ tokenizer, length: 64, onSkip: (s) => skipped.push(s) })).rejects.toThrow(/tiny: none of its 1 texts gives 64 tokens:\n {2}a: it has only \d+ tokens; 64 were asked for/);
    expect(skipped).toHaveLength(1);
  });
});

describe('random source', () => {
  const L = 40;
  it('gives count texts of GloVe words only, exactly length tokens, seeded', async () => {
    const glove = new Set(gloveWords());
    const src = sourceByName('random');
    const a = await src.texts({ tokenizer, length: L, count: 4, seed: 9 });
    expect(ids(a)).toEqual(['random/9/0', 'random/9/1', 'random/9/2', 'random/9/3']);
    expectExactLength(a, L);
    for (const t of a) {
      const words = whole(t.text).split(' ');
      expect(words.length).toBeGreaterThan(3);
      // every word but the last (which the token cut may split) is a GloVe entry
      words.slice(0, -1).forEach((w) => expect(glove.has(w), w).toBe(true));
      expect([...glove].some((g) => g.startsWith(words[words.length - 1]))).toBe(true);
    }
    expect(await src.texts({ tokenizer, length: L, count: 4, seed: 9 })).toEqual(a);
    expect((await src.texts({ tokenizer, length: L, count: 2, seed: 9 }))).toEqual(a.slice(0, 2));
    const b = await src.texts({ tokenizer, length: L, count: 4, seed: 10 });
    b.forEach((t, i) => expect(t.tokens).not.toEqual(a[i].tokens));
    expect(new Set(a.map((t) => t.text)).size).toBe(4);
  });

  it('needs a count and a word list', async () => {
    await expect(sourceByName('random').texts({ tokenizer, length: 8 })).rejects.toThrow(/say how many texts/);
    await expect(randomWordsSource([]).texts({ tokenizer, length: 8, count: 1 })).rejects.toThrow(/word list is empty/);
  });
});

describe('recent source', () => {
  it('cuts short posts like PG-19: whole sentences, exactly length tokens, seeded', async () => {
    const src = sourceByName('recent');
    const a = await src.texts({ tokenizer, length: 64, count: 5, seed: 3 });
    expectExactLength(a, 64);
    expect(await src.texts({ tokenizer, length: 64, count: 5, seed: 3 })).toEqual(a);
    expect(ids(await src.texts({ tokenizer, length: 64, count: 5, seed: 4 }))).not.toEqual(ids(a));
    for (const t of a) {
      expect(t.id).toMatch(/^recent\/(go_blog|rust_blog)\/.+\.txt$/);
      const post = collapseWhitespace(readData(t.id));
      expect(post.slice(t.origin!.charStart).startsWith(whole(t.text))).toBe(true);
      expect(t.origin!.charStart === 0 || post[t.origin!.charStart - 1] === ' ').toBe(true);
    }
    expect(recentDocuments()).toHaveLength(listData('recent/go_blog').length + listData('recent/rust_blog').length);
  });

  it('long lengths start earlier in a post or skip it, with the reason', async () => {
    const skipped: SkippedText[] = [];
    const texts = await sourceByName('recent').texts({ tokenizer, length: 3000, seed: 0, onSkip: (s) => skipped.push(s) });
    expectExactLength(texts, 3000);
    expect(texts.length + skipped.length).toBe(recentDocuments().length);
    expect(skipped.length).toBeGreaterThan(0);
    skipped.forEach((s) => expect(s.reason).toMatch(/^it has only \d+ tokens in all; 3000 were asked for$/));
    expect(texts.some((t) => /sentences before the run's second half/.test(t.origin!.note ?? ''))).toBe(true);
  });
});

describe('user texts: folders, files, pasted and uploaded', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'protolab-texts-'));
    mkdirSync(join(dir, 'good'));
    writeFileSync(join(dir, 'good', 'b-second.txt'), '  Second file starts with spaces. It goes on for a while, long enough for the test.');
    writeFileSync(join(dir, 'good', 'a-first.txt'), 'Once upon a time there was a little girl named Lily. She liked to play in the park.');
    writeFileSync(join(dir, 'good', 'notes.md'), 'not a text source file');
    mkdirSync(join(dir, 'mixed'));
    writeFileSync(join(dir, 'mixed', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74]));
    writeFileSync(join(dir, 'mixed', 'short.txt'), 'Tiny.');
    writeFileSync(join(dir, 'mixed', 'story.txt'), 'Tom had a red ball. He threw it high into the sky and ran after it.');
    writeFileSync(join(dir, 'mixed', 'empty.txt'), ' \n ');
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'no-txt'));
    writeFileSync(join(dir, 'no-txt', 'readme.md'), '# nothing');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder: each .txt file one text, identified by its file name, used from its start', async () => {
    const src = sourceByName(join(dir, 'good'));
    const texts = await src.texts({ tokenizer, length: 12 });
    expect(ids(texts)).toEqual(['a-first.txt', 'b-second.txt']);
    expectExactLength(texts, 12);
    expect(texts[0].tokens).toEqual(tokenizer.encode('Once upon a time there was a little girl named Lily. She liked to play in the park.').slice(0, 12));
    expect(texts[1].tokens).toEqual(tokenizer.encode('  Second file starts with spaces. It goes on for a while, long enough for the test.').slice(0, 12));
    expect(texts[0].text.startsWith('Once upon a time')).toBe(true);
    expect(texts.every((t) => t.source === join(dir, 'good') && t.origin!.charStart === 0)).toBe(true);
    // the seed plays no part; count takes the first files
    expect(await src.texts({ tokenizer, length: 12, seed: 5, count: 1 })).toEqual(texts.slice(0, 1));
    expect((await fileSource(join(dir, 'good', 'b-second.txt')).texts({ tokenizer, length: 12 }))[0]).toMatchObject({ id: 'b-second.txt', tokens: texts[1].tokens });
  });

  it('bad inputs: empty folder, no .txt files, missing path, non-UTF-8, empty and too-short files', async () => {
    expect(() => folderSource(join(dir, 'empty'))).toThrow(/has no \.txt files \(it is empty\)/);
    expect(() => folderSource(join(dir, 'no-txt'))).toThrow(/has no \.txt files \(it holds 1 other entry\)/);
    expect(() => sourceByName(join(dir, 'nowhere'))).toThrow(/Unknown text source ".*nowhere": use pg19, random, generated, recent, pg19-all, pg19-windows, a folder of \.txt files or a text file/);
    // pg19-all: the test-split books and the extra ones, for experiments that need more texts.
    expect(sourceByName('pg19-all').describe).toMatch(/^pg19-all: 94 documents/);
    expect(sourceByName('pg19').describe).toMatch(/^pg19: 44 documents/);
    const skipped: SkippedText[] = [];
    const texts = await folderSource(join(dir, 'mixed')).texts({ tokenizer, length: 10, onSkip: (s) => skipped.push(s) });
    expect(ids(texts)).toEqual(['story.txt']);
    expect(skipped).toEqual([
      { id: 'empty.txt', reason: 'it is empty' },
      { id: 'latin1.txt', reason: 'latin1.txt is not UTF-8 text (invalid byte 0xe9 at offset 3); save it as UTF-8 and try again.' },
      { id: 'short.txt', reason: expect.stringMatching(/^it has only \d tokens; 10 were asked for$/) },
    ]);
    await expect(folderSource(join(dir, 'mixed')).texts({ tokenizer, length: 10, count: 2 })).rejects.toThrow(
      /2 texts of 10 tokens asked for, but only 1 of its 4 texts could give them:\n {2}empty\.txt: it is empty\n {2}latin1\.txt: latin1\.txt is not UTF-8 text/,
    );
    await expect(folderSource(join(dir, 'mixed')).texts({ tokenizer, length: 0 })).rejects.toThrow(SourceError);
  });

  it('pasted text and uploaded files (browser variant: strings and Files)', async () => {
    const pasted = await pastedTextSource('Lily and Ben went to the shop to buy some bread.').texts({ tokenizer, length: 6 });
    expect(pasted).toMatchObject([{ id: 'pasted', source: 'pasted' }]);
    expect(pasted[0].tokens).toEqual(tokenizer.encode('Lily and Ben went to the shop to buy some bread.').slice(0, 6));
    const files = [
      new File(['The sun was hot and the sky was blue that day.'], 'z.txt'),
      new File([Uint8Array.from([0x61, 0xff, 0x62])], 'bad.txt'),
      new File(['A cat sat on the mat and looked at the bird.'], 'a.txt'),
    ];
    const skipped: SkippedText[] = [];
    const up = await uploadedSource(files).texts({ tokenizer, length: 5, onSkip: (s) => skipped.push(s) });
    expect(ids(up)).toEqual(['a.txt', 'z.txt']);
    expect(skipped).toEqual([{ id: 'bad.txt', reason: 'bad.txt is not UTF-8 text (invalid byte 0xff at offset 1); save it as UTF-8 and try again.' }]);
    await expect(pastedTextSource('   ').texts({ tokenizer, length: 4 })).rejects.toThrow(/pasted: none of its 1 texts gives 4 tokens:\n {2}pasted: it is empty/);
  });
});

describe('threeSamples keeps its behaviour', () => {
  it('still gives the three 16-token samples the CLI tests and benchmarks use', () => {
    const s = threeSamples(tokenizer, 16);
    expect(ids(s as unknown as SourceText[])).toEqual(['pg19/10146', 'random/0', `recent/go_blog/${listData('recent/go_blog')[0]}`]);
    s.forEach((x) => expect(x.tokens).toHaveLength(16));
  });
});
