import { Rng } from '../util/rng.ts';

/**
 * The text recipes of Kuratov et al. (METHOD-NOTES.md), as pure functions over strings so the
 * browser (fetched files) and Node (read files) share them.
 */

/** PG-19 preprocessing upstream: `" ".join(text.split())`. */
export function collapseWhitespace(text: string): string {
  return text.split(/\s+/u).filter(Boolean).join(' ');
}

/** Sentence boundaries: end punctuation (optionally closed by quotes or brackets) followed by a space. */
export function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?]["'”’)\]]?)\s+/u).filter((s) => s.length > 0);
}

/**
 * A run of whole sentences from the middle part of a book: collapse whitespace, split into
 * sentences, start at a seeded random sentence in the middle half, keep at least `minChars`.
 */
export function sentenceRun(book: string, seed: number, minChars: number): string {
  const sentences = splitSentences(collapseWhitespace(book));
  if (sentences.length === 0) throw new Error('The text has no sentences to take a run from.');
  const rng = new Rng(seed);
  const lo = Math.floor(sentences.length / 4);
  const hi = Math.max(lo + 1, Math.floor((3 * sentences.length) / 4));
  let i = lo + rng.int(hi - lo);
  const out: string[] = [];
  let chars = 0;
  while (chars < minChars && i < sentences.length) {
    out.push(sentences[i]);
    chars += sentences[i].length + 1;
    i++;
  }
  return out.join(' ');
}

/** Random text upstream: `" ".join(np.random.choice(vocab, size=max_length*5))`: uniform, with replacement. */
export function randomWords(vocabulary: readonly string[], seed: number, count: number): string {
  if (vocabulary.length === 0) throw new Error('The word list is empty.');
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => vocabulary[rng.int(vocabulary.length)]).join(' ');
}

/** Words of a whitespace-collapsed text, as Python's `len(text.split())` counts them. */
export function wordCount(text: string): number {
  const t = text.trim();
  return t.length === 0 ? 0 : t.split(/\s+/u).length;
}

export interface RunOptions {
  /** Fewest words in a run (upstream: more than 12,000). */
  minWords?: number;
  /** Most words in a run (upstream: fewer than 25,000). */
  maxWords?: number;
  /** Fewest sentences in a run (upstream: 10). */
  minSentences?: number;
  /** Draws before giving up and taking the whole text (the draws are O(1) each). */
  maxTries?: number;
}

export interface SentenceRun {
  /** The run is sentences[start, end). */
  start: number;
  end: number;
  /** First kept sentence: start + floor((end - start) / 2) (the "second half of sentences"). */
  kept: number;
  /** The word range actually used: the text was shorter than minWords, so [words/2, words] instead. */
  clamped: boolean;
}

/**
 * Kuratov et al.'s chunking (hidden_capacity notebooks/preprocess_pg19.ipynb and train.py):
 * draw start uniformly in [0, n - minSentences] and end uniformly in [start + minSentences, n]
 * until the run sentences[start, end) has more than minWords and fewer than maxWords words;
 * then keep the second half of its sentences. A text with fewer than minSentences sentences is
 * one run as a whole (as upstream).
 *
 * Lab deviation: upstream skipped books of 12,000 words or fewer; the shared PG-19 copies are cut
 * at 150,000 characters (~25k words), and blog posts are far shorter, so a text with fewer than
 * minWords words uses the range [words/2, words] instead (reported as `clamped`).
 */
export function kuratovRun(sentences: readonly string[], rng: Rng, opts: RunOptions = {}): SentenceRun {
  const n = sentences.length;
  if (n === 0) throw new Error('The text has no sentences to take a run from.');
  const minSentences = Math.max(1, opts.minSentences ?? 10);
  const half = (start: number, end: number) => start + Math.floor((end - start) / 2);
  const whole = (clamped: boolean): SentenceRun => ({ start: 0, end: n, kept: half(0, n), clamped });
  if (n < minSentences) return whole(false);
  // words[i] = words in sentences[0, i)
  const words = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) words[i + 1] = words[i] + wordCount(sentences[i]);
  const total = words[n];
  let lo = opts.minWords ?? 12_000;
  let hi = opts.maxWords ?? 25_000;
  let clamped = false;
  let accept = (w: number) => w > lo && w < hi;
  if (total <= lo) {
    clamped = true;
    lo = Math.floor(total / 2);
    hi = total;
    accept = (w) => w >= lo && w <= hi;
  }
  const tries = opts.maxTries ?? 100_000;
  for (let t = 0; t < tries; t++) {
    const start = rng.int(n - minSentences + 1);
    const end = start + minSentences + rng.int(n - start - minSentences + 1);
    if (accept(words[end] - words[start])) return { start, end, kept: half(start, end), clamped };
  }
  return whole(clamped);
}

/** Character offset of each sentence in `sentences.join(' ')` (the collapsed text they were split from). */
export function sentenceOffsets(sentences: readonly string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const s of sentences) {
    out.push(at);
    at += s.length + 1;
  }
  return out;
}
