/**
 * Window sources (src/datasets/sources.ts re-exports them): many short texts cut from the start of
 * each document, for training on "many thousands of windows" with a held-out split.
 */
import type { Tokenizer } from '../model/tokenizer.ts';
import { collapseWhitespace } from './text-recipes.ts';
import { SourceError, checkOptions, loadDocument, make, seedFor, seededShuffle, type SkippedText, type SourceDocument, type TextSource } from './sources.ts';

export interface WindowSourceOptions {
  /** Characters of each (whitespace-collapsed) document that are tokenized and cut (default 20000, so tokenizing many books stays fast). */
  maxChars?: number;
}

/** Default WindowSourceOptions.maxChars. */
export const WINDOW_MAX_CHARS = 20000;

interface WindowedDocument {
  tokens: number[];
  /** Approximate character offset in the collapsed document of each token's start. */
  starts: number[];
}

/**
 * Many short texts for training (a learned encoder over "many thousands of windows"): each
 * document, whitespace collapsed and cut to its first maxChars characters (back to a word
 * boundary), is tokenized once and cut into consecutive, non-overlapping windows of exactly
 * `length` tokens (a shorter rest is dropped). Text k of a document is '<doc id>@<k>' (tokens
 * k*length ... (k+1)*length - 1). The `count` texts are the first of a seeded shuffle of all windows
 * of all documents, so they depend on (seed, length) only, not on `count`. A document too short for
 * one window is skipped (onSkip); asking for more windows than there are is a SourceError. The
 * tokenization is cached per tokenizer and document for the life of the source object.
 */
export function windowSource(name: string, docs: readonly SourceDocument[], opts: WindowSourceOptions = {}): TextSource {
  const maxChars = opts.maxChars ?? WINDOW_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new SourceError(`${name}: the characters per document must be a positive integer, got ${maxChars}.`);
  const cache = new WeakMap<Tokenizer, Map<string, Promise<WindowedDocument | { error: string }>>>();
  const tokenized = (tokenizer: Tokenizer, doc: SourceDocument): Promise<WindowedDocument | { error: string }> => {
    let perDoc = cache.get(tokenizer);
    if (!perDoc) cache.set(tokenizer, (perDoc = new Map()));
    let entry = perDoc.get(doc.id);
    if (!entry) {
      entry = loadDocument(doc).then((loaded) => {
        if ('error' in loaded) return loaded;
        let text = collapseWhitespace(loaded.text);
        if (text.length > maxChars) {
          const cut = text.lastIndexOf(' ', maxChars);
          text = text.slice(0, cut > 0 ? cut : maxChars);
        }
        const tokens = text.trim().length ? tokenizer.encode(text) : [];
        // Offsets from the tokens' display strings (byte pieces and the leading space make them approximate).
        const starts = new Array<number>(tokens.length);
        let at = 0;
        tokenizer.tokenStrings(tokens).forEach((piece, i) => {
          starts[i] = Math.min(at, text.length);
          at += i === 0 ? piece.replace(/^ /u, '').length : piece.length;
        });
        return { tokens, starts };
      });
      perDoc.set(doc.id, entry);
    }
    return entry;
  };
  return {
    name,
    describe: `${name}: ${docs.length} documents, the first ${maxChars} characters of each cut into consecutive windows of the token length; windows drawn in a seeded order`,
    async texts(o) {
      const { length, count, seed } = checkOptions(o, name, false);
      if (docs.length === 0) throw new SourceError(`${name}: there are no texts in this source.`);
      const windows: { doc: number; k: number }[] = [];
      const tokenizedDocs: WindowedDocument[] = [];
      const skipped: SkippedText[] = [];
      for (let d = 0; d < docs.length; d++) {
        const t = await tokenized(o.tokenizer, docs[d]);
        if ('error' in t) {
          skipped.push({ id: docs[d].id, reason: t.error });
          tokenizedDocs.push({ tokens: [], starts: [] });
          continue;
        }
        tokenizedDocs.push(t);
        const n = Math.floor(t.tokens.length / length);
        if (n === 0) skipped.push({ id: docs[d].id, reason: `it has only ${t.tokens.length} tokens; ${length} were asked for` });
        for (let k = 0; k < n; k++) windows.push({ doc: d, k });
      }
      for (const s of skipped) o.onSkip?.(s);
      const wanted = count ?? 1;
      if (windows.length < wanted) {
        const within = `its ${docs.length} documents (the first ${maxChars} characters of each) give only ${windows.length} windows of ${length} tokens`;
        throw new SourceError(
          count === undefined
            ? `${name}: ${within}; use shorter windows.`
            : `${name}: ${count} windows asked for, but ${within}; ask for at most ${windows.length}, or use shorter windows (fewer tokens each).`,
        );
      }
      const chosen = seededShuffle(windows, seedFor(seed, name, 'windows', length)).slice(0, count ?? windows.length);
      return chosen.map(({ doc, k }) => {
        const t = tokenizedDocs[doc];
        const start = k * length;
        return make(o.tokenizer, `${docs[doc].id}@${k}`, name, t.tokens.slice(start, start + length), { title: docs[doc].title, charStart: t.starts[start] });
      });
    },
  };
}
