import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { sharedDir } from '../util/shared-dir.ts';

/** The shared folder's data/ (Node only; the browser fetches through the dev server). */
export const SHARED_DATA = join(sharedDir(), 'data') + '/';

export function readShared(relative: string): string {
  return readFileSync(join(SHARED_DATA, relative), 'utf8');
}

export function gloveWords(): string[] {
  return readShared('words/glove_top100k.txt').split('\n').filter(Boolean);
}

export function listShared(folder: string): string[] {
  return readdirSync(join(SHARED_DATA, folder)).filter((f) => f.endsWith('.txt')).sort();
}
