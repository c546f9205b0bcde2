import type { Tokenizer } from '../model/tokenizer.ts';
import { sentenceRun, randomWords, collapseWhitespace } from './text-recipes.ts';
import { readData, gloveWords, listData } from './data-dir.ts';

export interface TextSample {
  id: string;
  source: 'pg19' | 'random' | 'recent';
  text: string;
  tokens: number[];
}

/** The first `n` tokens of a text, and the text they decode to. */
export function prefix(tokenizer: Tokenizer, text: string, n: number): { tokens: number[]; text: string } {
  const tokens = tokenizer.encode(text).slice(0, n);
  if (tokens.length < n) throw new Error(`The text has only ${tokens.length} tokens; ${n} were asked for.`);
  return { tokens, text: tokenizer.decode(tokens) };
}

/** One text of each kind the paper uses, N tokens long (Node: reads assets/data). */
export function threeSamples(tokenizer: Tokenizer, n: number, seed = 0): TextSample[] {
  const book = sentenceRun(readData('pg19/test/10146.txt'), seed, 20 * n);
  const random = randomWords(gloveWords(), seed, 5 * n);
  const post = collapseWhitespace(readData(`recent/go_blog/${listData('recent/go_blog')[0]}`));
  return [
    { id: 'pg19/10146', source: 'pg19' as const, raw: book },
    { id: `random/${seed}`, source: 'random' as const, raw: random },
    { id: `recent/go_blog/${listData('recent/go_blog')[0]}`, source: 'recent' as const, raw: post },
  ].map(({ id, source, raw }) => ({ id, source, ...prefix(tokenizer, raw, n) }));
}
