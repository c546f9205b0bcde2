/** Searching and sorting the library's table: pure functions over summaries. */
import type { SolutionSummary } from './records.ts';

export const SORT_KEYS = ['savedAt', 'model', 'text', 'accuracy', 'N'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export function isSortKey(v: unknown): v is SortKey {
  return typeof v === 'string' && (SORT_KEYS as readonly string[]).includes(v);
}

/**
 * Records matching every word of `query` (case-insensitive) in their text, model, name, layout
 * or tags; `tag:x` asks for the tag x exactly, `model:x` for a model whose name contains x.
 */
export function searchRecords<T extends SolutionSummary>(records: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...records];
  return records.filter((r) => {
    const hay = [r.text, r.model, r.name, r.layout, ...r.tags].join('\n').toLowerCase();
    return words.every((w) => {
      if (w.startsWith('tag:')) return r.tags.includes(w.slice(4));
      if (w.startsWith('model:')) return r.model.toLowerCase().includes(w.slice(6));
      return hay.includes(w);
    });
  });
}

function compare(a: SolutionSummary, b: SolutionSummary, key: SortKey): number {
  switch (key) {
    case 'accuracy':
      return a.accuracy - b.accuracy || a.cTokens - b.cTokens;
    case 'N':
      return a.N - b.N;
    case 'savedAt':
      return a.savedAt < b.savedAt ? -1 : a.savedAt > b.savedAt ? 1 : 0;
    case 'model':
    case 'text':
      return a[key].localeCompare(b[key]);
  }
}

/** Sorted by `key` (ties: newest first, then id, so the order is stable across reloads). */
export function sortRecords<T extends SolutionSummary>(records: readonly T[], key: SortKey, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...records].sort((a, b) => sign * compare(a, b, key) || (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every tag in use, with how many records carry it, most used first. */
export function tagCounts(records: readonly SolutionSummary[]): [tag: string, count: number][] {
  const counts = new Map<string, number>();
  for (const r of records) for (const t of r.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The records a panel can pair with `fingerprint`'s model (interpolation and geometry need one model). */
export function recordsOfModel<T extends SolutionSummary>(records: readonly T[], fingerprint: string): T[] {
  return records.filter((r) => r.modelFingerprint === fingerprint);
}
