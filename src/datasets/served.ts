/**
 * The shared text sources as the dev server offers them under /data/ (src/devserver/data-middleware.ts),
 * for the browser's worker: the same documents, ids and recipes as the command line's
 * src/datasets/node/sources.ts, so a sweep run in the page and one run by `protolab sweep` on the
 * same settings pick the same texts and write the same records.
 */
import { SourceError, generatedSource, parseWordList, randomWordsSource, sentenceRunSource, windowSource, type SourceDocument, type TextSource } from './sources.ts';

/** The source names the page offers besides the user's own files. */
export const SERVED_SOURCE_NAMES = ['pg19', 'random', 'generated', 'recent', 'pg19-all', 'pg19-windows'] as const;
export type ServedSourceName = (typeof SERVED_SOURCE_NAMES)[number];

export function isServedSourceName(v: unknown): v is ServedSourceName {
  return typeof v === 'string' && (SERVED_SOURCE_NAMES as readonly string[]).includes(v);
}

export type FetchText = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string>; json(): Promise<unknown> }>;

interface IndexEntry {
  path: string;
  bytes: number;
}

async function getText(fetchFn: FetchText, url: string): Promise<string> {
  let res;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new SourceError(`Could not fetch ${url} (${(e as Error).message}); the text sources come from the lab's dev server (npm run dev).`);
  }
  if (!res.ok) throw new SourceError(`${url} answered ${res.status}; the text sources come from the lab's dev server (npm run dev), which serves the repository's assets/data (or PROTOLAB_ASSETS/data).`);
  return res.text();
}

/** The documents of one folder of the listing: ids as the command line makes them. */
function documents(entries: readonly IndexEntry[], base: string, fetchFn: FetchText, match: RegExp, id: (path: string) => string): SourceDocument[] {
  return entries
    .filter((e) => match.test(e.path))
    .map((e) => ({ id: id(e.path), load: () => getText(fetchFn, `${base}${e.path}`) }));
}

/**
 * A source by name from the server at `base` (e.g. 'http://127.0.0.1:5173/data/'): pg19 (test
 * books), pg19-all (test and extra books), pg19-windows (windows of the extra books only), recent, random (GloVe words), generated (the model's
 * continuations of pg19 contexts).
 */
export async function servedSource(name: string, base: string, fetchFn: FetchText = (u) => fetch(u)): Promise<TextSource> {
  if (!isServedSourceName(name)) throw new SourceError(`Unknown text source "${name}": use ${SERVED_SOURCE_NAMES.join(', ')}, or pick .txt files.`);
  const root = base.endsWith('/') ? base : `${base}/`;
  const listing = JSON.parse(await getText(fetchFn, `${root}index.json`)) as IndexEntry[];
  const book = (p: string) => `pg19/${p.split('/').pop()!.replace(/\.txt$/u, '')}`;
  const pg19 = (splits: string) => documents(listing, root, fetchFn, new RegExp(`^pg19/(${splits})/[^/]+\\.txt$`, 'u'), book);
  const need = (docs: SourceDocument[], what: string) => {
    if (docs.length === 0) throw new SourceError(`${name}: the server lists no ${what} under /data/ (is assets/data in the checkout?).`);
    return docs;
  };
  switch (name) {
    case 'pg19':
      return sentenceRunSource('pg19', need(pg19('test'), 'PG-19 books'));
    case 'pg19-all':
      return sentenceRunSource('pg19-all', need(pg19('test|extra'), 'PG-19 books'));
    case 'pg19-windows':
      return windowSource('pg19-windows', need(pg19('extra'), 'extra PG-19 books'));
    case 'recent':
      return sentenceRunSource('recent', need(documents(listing, root, fetchFn, /^recent\/[^/]+\/[^/]+\.txt$/u, (p) => p), 'recent posts'));
    case 'generated':
      return generatedSource(sentenceRunSource('pg19', need(pg19('test'), 'PG-19 books')));
    case 'random': {
      if (!listing.some((e) => e.path === 'words/glove_top100k.txt')) throw new SourceError('random: the server lists no words/glove_top100k.txt under /data/.');
      return randomWordsSource(async () => parseWordList(await getText(fetchFn, `${root}words/glove_top100k.txt`)));
    }
  }
}
