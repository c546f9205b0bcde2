import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { assetsDir } from '../util/assets-dir.ts';

/** The assets' data/: PG-19 books, GloVe words, recent posts (Node only; the browser fetches through the dev server). */
export const DATA_DIR = join(assetsDir(), 'data') + '/';

export function readData(relative: string): string {
  return readFileSync(join(DATA_DIR, relative), 'utf8');
}

export function gloveWords(): string[] {
  return readData('words/glove_top100k.txt').split('\n').filter(Boolean);
}

export function listData(folder: string): string[] {
  return readdirSync(join(DATA_DIR, folder)).filter((f) => f.endsWith('.txt')).sort();
}
