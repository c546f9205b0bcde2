/**
 * Text sources over files (Node only: CLI, tests, benchmarks; browser code must not import this).
 * The lab's texts under assets/data (pg19/, recent/, words/) and user folders of .txt files.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DATA_DIR } from '../data-dir.ts';
import { decodeUtf8Strict, NotUtf8Error } from '../utf8.ts';
import {
  SourceError,
  generatedSource,
  parseWordList,
  plainTextsSource,
  randomWordsSource,
  sentenceRunSource,
  windowSource,
  WINDOW_MAX_CHARS,
  type GeneratedSourceOptions,
  type PlainSourceOptions,
  type SentenceSourceOptions,
  type SourceDocument,
  type TextSource,
  type WindowSourceOptions,
} from '../sources.ts';

/** Reads a file as strict UTF-8; a SourceError naming the file otherwise. */
export async function readUtf8File(path: string, what = path): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SourceError(`${what} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    return decodeUtf8Strict(bytes, what);
  } catch (e) {
    if (e instanceof NotUtf8Error) throw new SourceError(e.message);
    throw e;
  }
}

function fileDocument(path: string, id: string, title?: string): SourceDocument {
  return { id, title, load: () => readUtf8File(path, id) };
}

function dataDir(dir?: string): string {
  return resolve(dir ?? DATA_DIR);
}

/** manifest.jsonl of a shared-data folder: `file` → record (lines that do not parse are ignored). */
function readManifest(path: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      if (typeof rec.file === 'string') out.set(rec.file, rec);
    } catch {
      // a damaged line loses only its title
    }
  }
  return out;
}

function txtFiles(dir: string, what: string): string[] {
  if (!existsSync(dir)) throw new SourceError(`${what}: ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new SourceError(`${what}: ${dir} is not a folder.`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt') && statSync(join(dir, f)).isFile())
    .sort();
}

export interface SharedDataOptions {
  /** The data folder (default: the repository's assets/data). */
  dataDir?: string;
}

/** PG-19 books present under pg19/<split>/ (the manifest lists held-out ones too; only files that are here count). */
export function pg19Documents(opts: SharedDataOptions & { splits?: readonly ('test' | 'extra')[] } = {}): SourceDocument[] {
  const root = dataDir(opts.dataDir);
  const manifest = readManifest(join(root, 'pg19/manifest.jsonl'));
  return (opts.splits ?? ['test']).flatMap((split) =>
    txtFiles(join(root, 'pg19', split), 'pg19').map((f) => {
      const rel = `pg19/${split}/${f}`;
      const title = manifest.get(rel)?.title;
      return fileDocument(join(root, rel), `pg19/${f.replace(/\.txt$/u, '')}`, typeof title === 'string' ? title : undefined);
    }),
  );
}

/** Recent posts under recent/<blog>/, id 'recent/<blog>/<file>'. */
export function recentDocuments(opts: SharedDataOptions = {}): SourceDocument[] {
  const root = dataDir(opts.dataDir);
  const manifest = readManifest(join(root, 'recent/manifest.jsonl'));
  const blogs = readdirSync(join(root, 'recent'))
    .filter((d) => statSync(join(root, 'recent', d)).isDirectory())
    .sort();
  return blogs.flatMap((blog) =>
    txtFiles(join(root, 'recent', blog), 'recent').map((f) => {
      const rel = `recent/${blog}/${f}`;
      const title = manifest.get(rel)?.title;
      return fileDocument(join(root, rel), rel, typeof title === 'string' ? title : undefined);
    }),
  );
}

export function gloveWordList(opts: SharedDataOptions = {}): Promise<string[]> {
  return readUtf8File(join(dataDir(opts.dataDir), 'words/glove_top100k.txt'), 'words/glove_top100k.txt').then(parseWordList);
}

export function pg19Source(opts: SharedDataOptions & SentenceSourceOptions & { splits?: readonly ('test' | 'extra')[] } = {}): TextSource {
  return sentenceRunSource('pg19', pg19Documents(opts), opts);
}

export function recentSource(opts: SharedDataOptions & SentenceSourceOptions = {}): TextSource {
  return sentenceRunSource('recent', recentDocuments(opts), opts);
}

export function randomSource(opts: SharedDataOptions = {}): TextSource {
  return randomWordsSource(() => gloveWordList(opts));
}

export function generatedPg19Source(opts: SharedDataOptions & GeneratedSourceOptions = {}): TextSource {
  return generatedSource(pg19Source(opts), opts);
}

/** A folder of .txt files: each file one text, identified by its file name, used from its start (sorted by name). */
export function folderSource(dir: string, opts: PlainSourceOptions = {}): TextSource {
  const root = resolve(dir);
  const files = txtFiles(root, 'folder source');
  if (files.length === 0) {
    const others = readdirSync(root).length;
    throw new SourceError(`${root} has no .txt files${others ? ` (it holds ${others} other entr${others === 1 ? 'y' : 'ies'})` : ' (it is empty)'}; put one text per .txt file there.`);
  }
  return plainTextsSource(dir, files.map((f) => fileDocument(join(root, f), f)), opts);
}

/** One file as one text, identified by its file name. */
export function fileSource(path: string, opts: PlainSourceOptions = {}): TextSource {
  const name = basename(path);
  return plainTextsSource(path, [fileDocument(resolve(path), name)], opts);
}

/**
 * 'pg19-windows': many short training texts from the 50 extra PG-19 books only (pg19/extra), never
 * the 44 test-split books of 'pg19', so what is trained on it has not seen those.
 */
export function pg19WindowsSource(opts: SharedDataOptions & WindowSourceOptions = {}): TextSource {
  const docs = pg19Documents({ ...opts, splits: ['extra'] });
  return {
    ...windowSource('pg19-windows', docs, opts),
    describe: `pg19-windows: consecutive windows of the token length from the first ${opts.maxChars ?? WINDOW_MAX_CHARS} characters of each of the ${docs.length} extra PG-19 books (pg19/extra) only, in a seeded order; the 44 test-split books (source pg19) are never used, so they stay unseen by anything trained on it`,
  };
}

export const SOURCE_NAMES = ['pg19', 'random', 'generated', 'recent', 'pg19-all', 'pg19-windows'] as const;

/**
 * `--source pg19|random|generated|recent|pg19-all|pg19-windows|DIR|FILE` of the CLI ('pg19-all':
 * test and extra books; 'pg19-windows': windows of the extra books only, for training). A name that
 * is none of these is a folder of .txt files, or a single text file.
 */
export function sourceByName(name: string, opts: SharedDataOptions & SentenceSourceOptions & GeneratedSourceOptions = {}): TextSource {
  switch (name) {
    case 'pg19':
      return pg19Source(opts);
    case 'pg19-all':
      // The 44 test-split books and the 50 other PG-19 books (pg19/extra), for experiments that need more than 44 texts.
      return sentenceRunSource('pg19-all', pg19Documents({ ...opts, splits: ['test', 'extra'] }), opts);
    case 'pg19-windows':
      return pg19WindowsSource(opts);
    case 'random':
      return randomSource(opts);
    case 'generated':
      return generatedPg19Source(opts);
    case 'recent':
      return recentSource(opts);
  }
  if (!existsSync(name)) {
    throw new SourceError(`Unknown text source "${name}": use ${SOURCE_NAMES.join(', ')}, a folder of .txt files or a text file.`);
  }
  return statSync(name).isDirectory() ? folderSource(name) : fileSource(name);
}
