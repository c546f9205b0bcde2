/**
 * The library view's settings (search words and table order): part of LabSettings, so the URL
 * restores the table as it was left; written to the URL only where they differ from the defaults.
 */
import { isSortKey, SORT_KEYS, type SortDir, type SortKey } from '../library/query.ts';

export interface LibrarySettings {
  libSearch: string;
  libSort: SortKey;
  libDir: SortDir;
}

export const LIBRARY_DEFAULTS: LibrarySettings = { libSearch: '', libSort: 'savedAt', libDir: 'desc' };

export const LIBRARY_FIELD_KEYS: Record<keyof LibrarySettings, string> = { libSearch: 'lib_q', libSort: 'lib_sort', libDir: 'lib_dir' };

export function isLibraryField(key: string): key is keyof LibrarySettings {
  return Object.hasOwn(LIBRARY_FIELD_KEYS, key);
}

export const MAX_SEARCH_LENGTH = 200;

export function checkLibraryField(key: keyof LibrarySettings, v: unknown): string | null {
  switch (key) {
    case 'libSearch':
      return typeof v === 'string' && v.length <= MAX_SEARCH_LENGTH ? null : `the library search must be text of at most ${MAX_SEARCH_LENGTH} characters`;
    case 'libSort':
      return isSortKey(v) ? null : `unknown library order ${JSON.stringify(v)} (one of ${SORT_KEYS.join(', ')})`;
    case 'libDir':
      return v === 'asc' || v === 'desc' ? null : 'the library order must be "asc" or "desc"';
  }
}
