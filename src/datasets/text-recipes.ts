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
