/**
 * The library's slice of LabState and its pure transitions. The records themselves live in
 * IndexedDB (src/library/db.ts); the state holds their summaries (what the table shows), the
 * interrupted runs the page offers to resume, the selection, and the outcome of the last import.
 */
import type { CheckpointSummary } from '../library/db.ts';
import type { SolutionSummary } from '../library/records.ts';

export type ImportOutcome =
  | { name: string; ok: true; id: string; text: string; cTokens: number; N: number }
  | { name: string; ok: false; reason: string };

/** The one-pass decoding of a library solution, asked for from its row. */
export type LibraryDecoded =
  | { id: string; state: 'decoding' }
  | { id: string; state: 'ready'; text: string; cTokens: number; N: number }
  | { id: string; state: 'error'; message: string };

export interface LibraryState {
  /** 'loading' until IndexedDB answered; 'error' when it cannot be used (message says why). */
  status: 'loading' | 'ready' | 'error';
  message: string | null;
  /** Summaries, newest first (the table sorts its own copy). */
  records: SolutionSummary[];
  /** Runs that were checkpointed and never finished (a reload, a crash, a closed tab). */
  checkpoints: CheckpointSummary[];
  selected: string[];
  /** The last deletion, undoable until the next one. */
  undo: { ids: string[]; names: string[] } | null;
  /** Files of the latest import, each kept or refused with the reason. */
  imports: ImportOutcome[];
  /** A long action in progress ("importing 3 files"), or null. */
  busy: string | null;
  decoded: LibraryDecoded | null;
}

export const INITIAL_LIBRARY: LibraryState = {
  status: 'loading',
  message: null,
  records: [],
  checkpoints: [],
  selected: [],
  undo: null,
  imports: [],
  busy: null,
  decoded: null,
};

export function libraryLoaded(l: LibraryState, records: SolutionSummary[], checkpoints: CheckpointSummary[]): LibraryState {
  const ids = new Set(records.map((r) => r.id));
  return { ...l, status: 'ready', message: null, records, checkpoints, selected: l.selected.filter((id) => ids.has(id)) };
}

/** The library as another tab changed it: its records and offers, keeping this tab's notice and selection where it still applies. */
export function libraryRefreshed(l: LibraryState, records: SolutionSummary[], checkpoints: CheckpointSummary[]): LibraryState {
  const ids = new Set(records.map((r) => r.id));
  return { ...l, records, checkpoints, selected: l.selected.filter((id) => ids.has(id)) };
}

export function libraryFailed(l: LibraryState, message: string): LibraryState {
  return { ...l, status: 'error', message, busy: null };
}

/** A message about the last action that went wrong (the library itself still works). */
export function libraryNotice(l: LibraryState, message: string | null): LibraryState {
  return { ...l, message, busy: null };
}

export function recordAdded(l: LibraryState, r: SolutionSummary): LibraryState {
  return { ...l, records: [r, ...l.records.filter((x) => x.id !== r.id)] };
}

/** Many records added at once (newest first, as they come). */
export function recordsAdded(l: LibraryState, rs: readonly SolutionSummary[]): LibraryState {
  const ids = new Set(rs.map((r) => r.id));
  return { ...l, records: [...rs, ...l.records.filter((x) => !ids.has(x.id))] };
}

export function recordsRemoved(l: LibraryState, removed: readonly SolutionSummary[]): LibraryState {
  const gone = new Set(removed.map((r) => r.id));
  return {
    ...l,
    records: l.records.filter((r) => !gone.has(r.id)),
    selected: l.selected.filter((id) => !gone.has(id)),
    undo: removed.length > 0 ? { ids: removed.map((r) => r.id), names: removed.map((r) => r.name) } : l.undo,
    decoded: l.decoded && gone.has(l.decoded.id) ? null : l.decoded,
  };
}

export function recordUpdated(l: LibraryState, r: SolutionSummary): LibraryState {
  return { ...l, records: l.records.map((x) => (x.id === r.id ? r : x)) };
}

export function selectionSet(l: LibraryState, ids: readonly string[]): LibraryState {
  const known = new Set(l.records.map((r) => r.id));
  return { ...l, selected: [...new Set(ids)].filter((id) => known.has(id)) };
}

export function importStarted(l: LibraryState, files: number): LibraryState {
  return { ...l, busy: `importing ${files} file${files === 1 ? '' : 's'}`, imports: [], message: null };
}

export function importFinished(l: LibraryState, outcomes: ImportOutcome[]): LibraryState {
  return { ...l, busy: null, imports: outcomes };
}

export function checkpointsListed(l: LibraryState, checkpoints: CheckpointSummary[]): LibraryState {
  return { ...l, checkpoints };
}

export function decodedSet(l: LibraryState, decoded: LibraryDecoded | null): LibraryState {
  if (decoded && decoded.state !== 'decoding' && l.decoded?.id !== decoded.id) return l; // a newer request won
  return { ...l, decoded };
}
