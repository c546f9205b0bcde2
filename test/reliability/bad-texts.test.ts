/**
 * Issue 7, texts: empty, whitespace only, control characters, emoji and right-to-left scripts are
 * tokenized without loss and compress (or are refused with a reason); a text longer than the
 * model's positions is refused with both counts; a multi-megabyte paste is judged too long in
 * milliseconds instead of being tokenized whole (which took 6 minutes, holding the worker).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { Model } from '../../src/model/model.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { maxTokenChars, tokenizeBounded } from '../../src/model/tokenize-bounded.ts';
import { decodeOnePass } from '../../src/prototokens/decode.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { maxTokensFor } from '../../src/shared/layouts.ts';
import { compressBlocker } from '../../src/ui/selectors.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { READY } from '../ui/fixtures.ts';
import { DEFAULT_SETTINGS, MAX_URL_TEXT_CHARS, settingsToQuery } from '../../src/ui/url-state.ts';

const ODD_TEXTS: [string, string][] = [
  ['control characters', 'tab\there\u0007bell\u0000nul\r\nline'],
  ['emoji with modifiers and ZWJ', '😀 ok 👍🏽 👩‍👩‍👧'],
  ['Hebrew (right to left)', 'שלום עולם'],
  ['Arabic (right to left)', 'مرحبا بالعالم'],
  ['bidi override and mixed scripts', '\u202Eabc\u202C Lily שלום 😀'],
];

describe('odd texts on stories260k', () => {
  let tokenizer: Tokenizer;
  let model: Model;
  beforeAll(async () => {
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
  });

  it.each(ODD_TEXTS)('%s: tokenized within the vocabulary and decoded back exactly', (_what, text) => {
    const ids = tokenizer.encode(text);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 512)).toBe(true);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.tokenStrings(ids)).toHaveLength(ids.length);
  });

  it('emoji, right-to-left and control characters compress like any text: finite loss, decoded ids in the vocabulary', async () => {
    const text = '😀 שלום\tmat';
    const ids = tokenizer.encode(text);
    const settings = { ...PAPER_SETTINGS, maxSteps: 60, reportEvery: 20 };
    const trainer = await ProtoTrainer.create(model, singleText(ids, 0), settings);
    try {
      const r = await optimise(trainer);
      expect(Number.isFinite(r.last.loss[0])).toBe(true);
      const decoded = await decodeOnePass(model, r.best[0], settings.layout, settings.firstTarget, ids.length);
      expect(decoded).toHaveLength(ids.length);
      expect(decoded.every((id) => id >= 0 && id < 512)).toBe(true);
      expect(typeof tokenizer.decode(decoded)).toBe('string');
    } finally {
      trainer.destroy();
    }
  });

  it('a text longer than the model positions is refused with both counts, before any GPU work', async () => {
    const ids = tokenizer.encode('Once upon a time there was a cat. '.repeat(80));
    const maxTokens = maxTokensFor(512, PAPER_SETTINGS.layout, PAPER_SETTINGS.firstTarget);
    expect(ids.length).toBe(801);
    expect(maxTokens).toBeLessThan(801);
    await expect(ProtoTrainer.create(model, singleText(ids, 0), PAPER_SETTINGS)).rejects.toThrow(/^The text needs 801 input positions but the model takes at most 512; use fewer tokens\.$/);
  });
});

describe('tokenizeBounded: a pasted book is judged too long without tokenizing it whole', () => {
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('short texts are tokenized whole, exactly as encode does', () => {
    for (const text of ['', '   ', ...ODD_TEXTS.map((t) => t[1]), 'Once upon a time. '.repeat(100)]) {
      const r = tokenizeBounded(tokenizer, text, 509);
      expect(r.partial).toBe(false);
      expect(r.ids).toEqual(text ? tokenizer.encode(text) : []);
    }
  });

  it('4 MB is marked partial after tokenizing only a bounded prefix (the whole took 6 minutes), cut between code points', () => {
    const book = 'Lily saw a big dog 🐕 and said שלום. '.repeat(120_000);
    expect(book.length).toBeGreaterThan(4_000_000);
    const r = tokenizeBounded(tokenizer, book, 509);
    expect(r.partial).toBe(true);
    const prefix = tokenizer.decode(r.ids);
    // The work done is what was tokenized: a prefix of at most 8 characters per allowed token, whatever the text's length.
    expect(prefix.length).toBeLessThanOrEqual(8 * (509 + 1));
    expect(book.startsWith(prefix)).toBe(true);
    expect(prefix).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
  });

  it('the bound is sound: every text past it, even one made of the longest tokens, has more than maxTokens tokens', () => {
    const L = maxTokenChars(tokenizer);
    expect(L).toBeGreaterThan(1);
    const strings = tokenizer.tokenStrings(Array.from({ length: tokenizer.vocabSize }, (_, i) => i));
    const longest = strings.filter((s) => s.length === L && !s.startsWith('<'))[0] ?? strings.find((s) => s.length >= L - 1)!;
    for (const maxTokens of [1, 4, 16]) {
      for (const unit of [longest, ' the', '😀', 'a']) {
        const text = unit.repeat(Math.ceil((2 * maxTokens * L + 1) / unit.length));
        const r = tokenizeBounded(tokenizer, text, maxTokens);
        expect(r.partial).toBe(true);
        expect(tokenizer.encode(text).length, `${JSON.stringify(unit)} x ${text.length / unit.length}`).toBeGreaterThan(maxTokens);
      }
    }
  });
});

describe('what the page says before Compress', () => {
  const ready = (text: string, tokens: LabState['tokens']['current']): LabState => {
    const s = initialState();
    return { ...s, settings: { ...s.settings, text }, model: { state: 'ready', ref: 'stories260k', info: READY }, tokens: { pendingId: 1, pendingText: text, current: tokens, error: null } };
  };

  it('a pasted book stays out of the URL (a multi-megabyte URL cannot be reloaded or shared); a normal text goes in', () => {
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, text: 'Once upon a time 😀' })).toContain('text=Once+upon+a+time');
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, text: 'x'.repeat(MAX_URL_TEXT_CHARS) })).toContain('text=x');
    const q = settingsToQuery({ ...DEFAULT_SETTINGS, text: 'x'.repeat(MAX_URL_TEXT_CHARS + 1) });
    expect(q).not.toContain('text=');
    expect(q.length).toBeLessThan(1000);
  });

  it('empty and whitespace-only texts ask for a text', () => {
    expect(compressBlocker(ready('', { text: '', ids: [], pieces: [], maxTokens: 509, tooLong: false }))).toBe('Paste a text first.');
    expect(compressBlocker(ready(' \n\t ', { text: ' \n\t ', ids: [1, 2], pieces: [' ', '\n'], maxTokens: 509, tooLong: false }))).toBe('Paste a text first.');
  });

  it('a too-long text gives its count and the limit; a partial count says "more than"', () => {
    expect(compressBlocker(ready('x', { text: 'x', ids: new Array(600).fill(5), pieces: [], maxTokens: 509, tooLong: true }))).toBe('The text has 600 tokens; this model and layout take at most 509.');
    expect(compressBlocker(ready('x', { text: 'x', ids: [5, 6], pieces: [], maxTokens: 509, tooLong: true, partial: true }))).toBe('The text has more than 509 tokens; this model and layout take at most 509.');
  });
});
