/**
 * Text sources (issue 4, section 3): token sequences of a requested length for a model's
 * tokenizer. Everything here works on texts already in memory (or behind a `load` callback), so
 * the browser uses it with fetched strings or picked Files and Node with files it reads
 * (src/datasets/node/sources.ts adds the shared data, folders and `sourceByName`).
 *
 * Every text is `length` tokens of the model's tokenizer, without special tokens (callers decide
 * about BOS, as with Tokenizer.encode), and `text` is the decode of exactly those tokens.
 */
import type { Tokenizer } from '../model/tokenizer.ts';
import type { Model } from '../model/model.ts';
import { sampleContinuation } from '../model/sample.ts';
import { Rng } from '../util/rng.ts';
import { collapseWhitespace, splitSentences, kuratovRun, sentenceOffsets, randomWords, type RunOptions } from './text-recipes.ts';

// Windows of documents for training (src/datasets/window-source.ts), offered here with the other sources.
export { windowSource, WINDOW_MAX_CHARS, type WindowSourceOptions } from './window-source.ts';

export interface SourceText {
  /** Stable: 'pg19/<book id>', 'recent/<dir>/<file>', 'random/<seed>/<k>', a file name, 'generated/<context id>/<seed>/<j>'. */
  id: string;
  /** Name of the source it came from ('pg19', 'random', 'recent', 'generated', a folder path, ...). */
  source: string;
  /** Exactly `length` token ids, no special tokens added. */
  tokens: number[];
  /** tokenizer.decode(tokens). */
  text: string;
  origin?: TextOrigin;
  /** Generated texts: the context the continuation was sampled after. */
  context?: { id: string; tokens: number[]; text: string; bos: boolean };
}

/** Where in the original document a text starts (for display and checks). */
export interface TextOrigin {
  title?: string;
  /** Character offset of the text's start in the whitespace-collapsed document (sentence sources; approximate for window sources), or in the raw file (0). */
  charStart: number;
  /** Sentence recipes: the first kept sentence, the run it halves, and the document's sentence count. */
  sentence?: number;
  run?: [number, number];
  sentences?: number;
  /** Anything the recipe had to adapt, in words. */
  note?: string;
}

export interface SkippedText {
  id: string;
  reason: string;
}

export interface TextsOptions {
  tokenizer: Tokenizer;
  /** Tokens per text. */
  length: number;
  /** How many texts; omitted: every text the source has (finite sources only). */
  count?: number;
  /** Seed of the selection and of every random choice (default 0). */
  seed?: number;
  /** The model (the 'generated' source samples from it). */
  model?: Model;
  /** Told about every document left out, with the reason (too short, not UTF-8, ...). */
  onSkip?: (skipped: SkippedText) => void;
  /**
   * Plain sources (user texts, folders): keep a text that has fewer than `length` tokens whole
   * instead of skipping it, so `length` is an upper bound (the capacity sweep uses each file from
   * its start as far as it goes). Other sources ignore it.
   */
  upTo?: boolean;
}

export interface TextSource {
  name: string;
  /** One line for humans: what the source is and how it cuts texts. */
  describe: string;
  /**
   * `count` texts of exactly `length` tokens. Documents that cannot give one are skipped (onSkip);
   * a SourceError says why when fewer than `count` texts (or none) could be made.
   */
  texts(opts: TextsOptions): Promise<SourceText[]>;
  /** The longest text it can give for this tokenizer and model, where that is limited (generated: context and continuation must fit the model's positions). */
  maxLength?(tokenizer: Tokenizer, model: Model): number;
}

/** Bad input to a text source: the message is meant for the user as it stands. */
export class SourceError extends Error {
  override name = 'SourceError';
}

/** A document held in memory or loaded on demand (a read file, a fetched URL, a picked File). */
export interface SourceDocument {
  id: string;
  title?: string;
  /** The text; may throw SourceError (e.g. not UTF-8), which skips the document with that reason. */
  load(): string | Promise<string>;
}

export function documentFromString(id: string, text: string, title?: string): SourceDocument {
  return { id, title, load: () => text };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** 32-bit FNV-1a of a string, for per-document seeds that do not depend on the order or count. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A seed derived from the run's seed and a few labels. */
export function seedFor(seed: number, ...parts: (string | number)[]): number {
  return hash32(`${seed >>> 0}/${parts.join('/')}`);
}

/** Fisher-Yates with Rng(seed). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rng = new Rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function checkOptions(opts: TextsOptions, name: string, countRequired: boolean): { length: number; count: number | undefined; seed: number } {
  const { length, count } = opts;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(length) || length < 1) throw new SourceError(`${name}: the text length must be a positive number of tokens, got ${length}.`);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new SourceError(`${name}: the number of texts must be a positive integer, got ${count}.`);
  if (countRequired && count === undefined) throw new SourceError(`${name}: this source has no end; say how many texts (count).`);
  if (!Number.isInteger(seed)) throw new SourceError(`${name}: the seed must be an integer, got ${seed}.`);
  return { length, count, seed };
}

/** Extra tokens encoded past the cut, so that the kept tokens do not depend on where the encoded piece ended. */
const MARGIN = 16;

/**
 * The first `length` tokens of parts.join(sep). Encodes growing prefixes (whole parts only) rather
 * than the whole text; a prefix is accepted when it yields MARGIN tokens beyond the cut, or is the
 * whole text. Returns how many tokens there are when the text is too short.
 */
export function leadingTokens(tokenizer: Tokenizer, parts: readonly string[], length: number, sep = ' '): { tokens: number[] } | { short: number } {
  let chars = (length + MARGIN) * 6;
  for (;;) {
    let used = 0;
    let size = 0;
    while (used < parts.length && size < chars) size += parts[used++].length + sep.length;
    const all = used === parts.length;
    const tokens = tokenizer.encode(parts.slice(0, used).join(sep));
    if (tokens.length >= length + MARGIN || (all && tokens.length >= length)) return { tokens: tokens.slice(0, length) };
    if (all) return { short: tokens.length };
    chars *= 2;
  }
}

export function make(tokenizer: Tokenizer, id: string, source: string, tokens: number[], origin?: TextOrigin): SourceText {
  return { id, source, tokens, text: tokenizer.decode(tokens), ...(origin ? { origin } : {}) };
}

export async function loadDocument(doc: SourceDocument): Promise<{ text: string } | { error: string }> {
  try {
    return { text: await doc.load() };
  } catch (e) {
    if (e instanceof SourceError || (e as Error).name === 'NotUtf8Error') return { error: (e as Error).message };
    throw e;
  }
}

/** Goes through documents in order until `count` texts are made; a SourceError with the reasons when too few. */
async function collect(
  name: string,
  docs: readonly SourceDocument[],
  count: number | undefined,
  opts: TextsOptions,
  makeOne: (doc: SourceDocument, text: string) => SourceText | { skip: string },
): Promise<SourceText[]> {
  if (docs.length === 0) throw new SourceError(`${name}: there are no texts in this source.`);
  const out: SourceText[] = [];
  const skipped: SkippedText[] = [];
  for (const doc of docs) {
    if (count !== undefined && out.length >= count) break;
    const loaded = await loadDocument(doc);
    const r = 'error' in loaded ? { skip: loaded.error } : makeOne(doc, loaded.text);
    if ('skip' in r) {
      const s = { id: doc.id, reason: r.skip };
      skipped.push(s);
      opts.onSkip?.(s);
    } else out.push(r);
  }
  const wanted = count ?? 1;
  if (out.length < wanted) {
    const shown = skipped.slice(0, 8).map((s) => `\n  ${s.id}: ${s.reason}`).join('');
    const more = skipped.length > 8 ? `\n  ... and ${skipped.length - 8} more` : '';
    const head =
      count === undefined
        ? `${name}: none of its ${docs.length} texts gives ${opts.length} tokens`
        : `${name}: ${count} texts of ${opts.length} tokens asked for, but only ${out.length} of its ${docs.length} texts could give them`;
    throw new SourceError(`${head}${skipped.length ? ':' : '.'}${shown}${more}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sources

export interface SentenceSourceOptions {
  /** The run of sentences the text starts in (defaults: Kuratov's 12k-25k words, at least 10 sentences). */
  run?: RunOptions;
}

/**
 * Text from the middle of each document by Kuratov's recipe (PG-19, recent posts): collapse
 * whitespace, split into sentences, draw a random run of sentences (kuratovRun), keep its second
 * half, cut to `length` tokens. One text per document; the documents are taken in a seeded order
 * and each document's run is seeded by (seed, document id), so a text does not depend on `count`.
 * The kept text reads on past the run's end when the run is too short in tokens (never upstream,
 * where runs are 6k+ words); when even the rest of the document is too short it starts at the
 * latest earlier sentence that gives enough tokens (noted in origin.note); a document too short
 * as a whole is skipped.
 */
export function sentenceRunSource(name: string, docs: readonly SourceDocument[], opts: SentenceSourceOptions = {}): TextSource {
  return {
    name,
    describe: `${name}: ${docs.length} documents; a random run of whole sentences (Kuratov et al.), second half kept, cut to the token length`,
    async texts(o) {
      const { length, count, seed } = checkOptions(o, name, false);
      const order = seededShuffle(docs, seedFor(seed, name, 'order'));
      return collect(name, order, count, o, (doc, raw) => {
        const sentences = splitSentences(collapseWhitespace(raw));
        if (sentences.length === 0) return { skip: 'it has no text' };
        const run = kuratovRun(sentences, new Rng(seedFor(seed, doc.id)), opts.run);
        const notes: string[] = [];
        if (run.clamped) notes.push('shorter than the run size: run drawn over [words/2, words]');
        let k = run.kept;
        let r = leadingTokens(o.tokenizer, sentences.slice(k), length);
        if ('short' in r && k > 0) {
          // Step back over about as many tokens as are missing (sentences encoded one by one), then one
          // sentence at a time while still short (token counts are nearly additive over sentences).
          const from = k;
          let missing = length - r.short;
          while (missing > 0 && k > 0) missing -= o.tokenizer.encode(sentences[--k]).length;
          r = leadingTokens(o.tokenizer, sentences.slice(k), length);
          while ('short' in r && k > 0) r = leadingTokens(o.tokenizer, sentences.slice(--k), length);
          // ... and forward again while the later start still suffices: the latest start that does.
          while (!('short' in r) && k + 1 < from) {
            const later = leadingTokens(o.tokenizer, sentences.slice(k + 1), length);
            if ('short' in later) break;
            k++;
            r = later;
          }
          if (!('short' in r)) notes.push(`started ${from - k} sentences before the run's second half to have ${length} tokens`);
        }
        if ('short' in r) return { skip: `it has only ${r.short} tokens in all; ${length} were asked for` };
        return make(o.tokenizer, doc.id, name, r.tokens, {
          title: doc.title,
          charStart: sentenceOffsets(sentences)[k],
          sentence: k,
          run: [run.start, run.end],
          sentences: sentences.length,
          ...(notes.length ? { note: notes.join('; ') } : {}),
        });
      });
    },
  };
}

/**
 * Random texts (Kuratov's recipe): 5 x length words drawn uniformly with replacement from the
 * word list, joined by single spaces, cut to `length` tokens. Text k of a seed is
 * 'random/<seed>/<k>', drawn with its own Rng, so it does not depend on `count`.
 */
export function randomWordsSource(words: readonly string[] | (() => Promise<readonly string[]>), name = 'random'): TextSource {
  let list: Promise<readonly string[]> | null = null;
  const vocabulary = () => (list ??= Promise.resolve(typeof words === 'function' ? words() : words));
  return {
    name,
    describe: `${name}: words drawn uniformly with replacement from a word list (GloVe top 100k), 5 per token, cut to the token length`,
    async texts(o) {
      const { length, count, seed } = checkOptions(o, name, true);
      const vocab = await vocabulary();
      if (vocab.length === 0) throw new SourceError(`${name}: the word list is empty.`);
      const out: SourceText[] = [];
      for (let k = 0; k < count!; k++) {
        const id = `${name}/${seed}/${k}`;
        const text = randomWords(vocab, seedFor(seed, name, k), 5 * length);
        const r = leadingTokens(o.tokenizer, text.split(' '), length);
        if ('short' in r) throw new SourceError(`${name}: ${5 * length} random words give only ${r.short} tokens; ${length} were asked for.`);
        out.push(make(o.tokenizer, id, name, r.tokens, { charStart: 0 }));
      }
      return out;
    },
  };
}

export interface PlainSourceOptions {
  /** Collapse runs of whitespace to single spaces first (default: the text is used exactly as given). */
  collapse?: boolean;
}

/**
 * User texts (pasted, uploaded, a folder of .txt files): each document is one text, identified by
 * its id (the file name), used from its start, in the order given. The seed plays no part.
 */
export function plainTextsSource(name: string, docs: readonly SourceDocument[], opts: PlainSourceOptions = {}): TextSource {
  return {
    name,
    describe: `${name}: ${docs.length} text${docs.length === 1 ? '' : 's'}, each used from its start`,
    async texts(o) {
      const { length, count } = checkOptions(o, name, false);
      return collect(name, docs, count, o, (doc, raw) => {
        const text = opts.collapse ? collapseWhitespace(raw) : raw;
        if (text.trim().length === 0) return { skip: 'it is empty' };
        const tokens = o.tokenizer.encode(text);
        if (tokens.length < length && !o.upTo) return { skip: `it has only ${tokens.length} tokens; ${length} were asked for` };
        return make(o.tokenizer, doc.id, name, tokens.slice(0, length), { title: doc.title, charStart: 0 });
      });
    },
  };
}

export interface GeneratedSourceOptions {
  /** Continuations sampled after each context (Fig. 6: several texts from the same context). Default 1. */
  perContext?: number;
  /** Default 1 (the paper's multinomial sampling). */
  temperature?: number;
}

/**
 * The model's own continuations: context = `length` tokens from `contexts` (PG-19), preceded by
 * BOS when the tokenizer adds one; `length` tokens sampled after it at the temperature with
 * Rng(seedFor(seed, context id, j)). BOS/EOS and ids outside the tokenizer are never drawn (as
 * Hugging Face's min_new_tokens = length keeps EOS out), so every continuation is `length` tokens.
 */
export function generatedSource(contexts: TextSource, opts: GeneratedSourceOptions = {}, name = 'generated'): TextSource {
  const per = opts.perContext ?? 1;
  const temperature = opts.temperature ?? 1;
  if (!Number.isInteger(per) || per < 1) throw new SourceError(`${name}: continuations per context must be a positive integer, got ${per}.`);
  return {
    name,
    describe: `${name}: continuations sampled by the model (temperature ${temperature}) after ${contexts.name} contexts of the same length`,
    maxLength: (tk, model) => Math.floor((model.spec.maxPositions - (tk.addBos && tk.bosTokenId !== null ? 1 : 0)) / 2),
    async texts(o) {
      const { length, count, seed } = checkOptions(o, name, true);
      const model = o.model;
      if (!model) throw new SourceError(`${name}: this source samples from the model; load a model first.`);
      const tk = o.tokenizer;
      const bos = tk.addBos && tk.bosTokenId !== null;
      const positions = (bos ? 1 : 0) + 2 * length;
      if (positions > model.spec.maxPositions) {
        throw new SourceError(
          `${name}: a ${length}-token context and a ${length}-token continuation${bos ? ' after BOS' : ''} need ${positions} positions; this model has ${model.spec.maxPositions}. Use at most ${Math.floor((model.spec.maxPositions - (bos ? 1 : 0)) / 2)} tokens.`,
        );
      }
      const ctx = await contexts.texts({ tokenizer: tk, length, count: Math.ceil(count! / per), seed, onSkip: o.onSkip });
      const exclude = [tk.bosTokenId, tk.eosTokenId].filter((x): x is number => x !== null);
      const out: SourceText[] = [];
      for (const c of ctx) {
        for (let j = 0; j < per && out.length < count!; j++) {
          const ids = bos ? [tk.bosTokenId!, ...c.tokens] : c.tokens;
          const tokens = await sampleContinuation(model, ids, length, seedFor(seed, name, c.id, j), temperature, { exclude, vocabLimit: tk.vocabSize });
          out.push({
            id: `${name}/${c.id}/${seed}/${j}`,
            source: name,
            tokens,
            text: tk.decode(tokens),
            origin: { charStart: 0, note: `sampled by ${model.id} at temperature ${temperature}` },
            context: { id: c.id, tokens: c.tokens, text: c.text, bos },
          });
        }
      }
      return out;
    },
  };
}

/** Words of a word-list file: one per line (GloVe's list has punctuation and clitics as entries). */
export function parseWordList(text: string): string[] {
  return text.split(/\r?\n/u).filter((w) => w.length > 0);
}

/**
 * `count` texts of exactly `length` tokens (cut to it), or a SourceError saying how many the source
 * gave: for measurements that need every text at one length (a universal m, an encoder).
 */
export async function textsOfLength(source: TextSource, opts: TextsOptions & { count: number }): Promise<SourceText[]> {
  const picked = await source.texts(opts);
  const full = picked.filter((t) => t.tokens.length >= opts.length);
  if (full.length < opts.count) throw new SourceError(`${source.name} gave ${full.length} texts of ${opts.length} tokens, fewer than the ${opts.count} asked for; ask for fewer or shorter texts.`);
  return full.map((t) => (t.tokens.length === opts.length ? t : { ...t, tokens: t.tokens.slice(0, opts.length) }));
}
