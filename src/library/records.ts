/**
 * The solution library: every solution the lab made or imported, kept in IndexedDB so a reload,
 * a crash or a closed tab loses nothing. No React and no GPU here; the page and the worker may
 * both use it.
 *
 * API (for the panels that pick solutions from the library):
 * - Data: `SolutionSummary` (everything but the bytes; what `state.library.records` lists) and
 *   `SolutionRecord` (a summary plus the solution's `.safetensors` bytes).
 * - Storage (src/library/db.ts): `openLibrary(name = "protolab")` → `LibraryDb` with `add(record)`, `addMany(records)`,
 *   `list()` (summaries, newest first), `get(id)`, `bytes(id)`, `setTags(id, tags)`,
 *   `remove(ids)` (returns the removed records, for undo), `restore(records)`, and the run
 *   checkpoints: `putCheckpoint(id, cp)`, `checkpoints()`, `checkpoint(id)`, `removeCheckpoint(id)`.
 * - Page (src/ui/lab.ts actions, state in `state.library`, see src/ui/library-state.ts):
 *   `libraryImport(files)`, `libraryAdd(records)` (ready-made records, one transaction), `libraryExport(ids)`, `libraryDelete(ids)`, `libraryUndoDelete()`,
 *   `libraryTag(id, tags)`, `librarySolutionBytes(id): Promise<ArrayBuffer>` (a fresh copy, free to
 *   transfer to the worker, e.g. as a 'decode' request's bytes), `libraryResume(id)`,
 *   `libraryDecode(id)` (one-pass text in `state.library.decoded`), `librarySelect(ids)`,
 *   `libraryDiscardCheckpoint(id)`. Panels that need one model's solutions filter
 *   `state.library.records` by `modelFingerprint` (query.ts `recordsOfModel`).
 * - Pure helpers: query.ts (search, sort, same-model filter), names.ts (export file names),
 *   zip.ts (many solutions as one zip, and back).
 */
import type { LayoutName, FirstTarget } from '../shared/layouts.ts';
import type { SolutionMeta } from '../prototokens/solution-file.ts';
import type { StoppedBy } from '../prototokens/optimise.ts';
import type { WeightFormat } from '../shared/weight-formats.ts';

/** Where a record came from: a run on this page, or a file imported into the library. */
export type RecordSource = 'run' | 'import';

export interface SolutionSummary {
  /** Unique within the library (a random UUID). */
  id: string;
  /** When it entered the library (ISO 8601). */
  savedAt: string;
  /** The file name it was saved or imported under. */
  name: string;
  /** The model's id (its label when made here) and its weights' fingerprint. */
  model: string;
  modelFingerprint: string;
  hidden: number;
  /**
   * The weight format the solution was trained against (its file's weight_format). Absent in
   * records kept before formats existed: those were f32.
   */
  weightFormat?: WeightFormat;
  /** 'oneshot': proto-tokens e and m decoded in one forward pass (the only kind the lab keeps). */
  method: 'oneshot';
  text: string;
  /** The target's token ids (N = ids.length). */
  ids: number[];
  N: number;
  layout: LayoutName;
  firstTarget: FirstTarget;
  seed: number;
  lr: number;
  /**
   * Where the vectors started (the file's init: 'normal', 'embedding-std', 'encoder', ...), and for
   * a start that was not a draw, the one-pass accuracy of that start before any step. Absent in
   * records kept before the library recorded them.
   */
  init?: string;
  initialAccuracy?: number;
  /** Fraction of tokens the one-pass decoding gets right, in [0, 1]. */
  accuracy: number;
  cTokens: number;
  /** Loss of the kept vectors (nats, summed over the N positions). */
  loss: number;
  steps: number;
  seconds: number;
  /** When the solution was made (from the file's metadata). */
  createdAt: string;
  tags: string[];
  source: RecordSource;
  /** Why the run ended (runs made here only). */
  stoppedBy?: StoppedBy;
}

export interface SolutionRecord extends SolutionSummary {
  /** The solution as a `.safetensors` file (solution-file.ts format). */
  bytes: ArrayBuffer;
}

export function newRecordId(): string {
  return globalThis.crypto.randomUUID();
}

/** The tag every solution started from an encoder's prediction gets, so the library can find them. */
export const ENCODER_TAG = 'encoder';

/** A library record from a solution file's metadata and bytes (a solution from an encoder is tagged ENCODER_TAG). */
export function recordFromSolution(
  meta: SolutionMeta,
  bytes: ArrayBuffer,
  how: { name: string; source: RecordSource; stoppedBy?: StoppedBy; tags?: string[]; id?: string; savedAt?: Date },
): SolutionRecord {
  return {
    id: how.id ?? newRecordId(),
    savedAt: (how.savedAt ?? new Date()).toISOString(),
    name: how.name,
    model: meta.model,
    modelFingerprint: meta.modelFingerprint,
    hidden: meta.hidden,
    weightFormat: meta.weightFormat,
    method: 'oneshot',
    text: meta.text,
    ids: [...meta.targetIds],
    N: meta.targetIds.length,
    layout: meta.layout,
    firstTarget: meta.firstTarget,
    seed: meta.seed,
    lr: meta.lr,
    init: meta.init,
    ...(meta.initialAccuracy !== undefined ? { initialAccuracy: meta.initialAccuracy } : {}),
    accuracy: meta.accuracy,
    cTokens: meta.cTokens,
    loss: meta.loss,
    steps: meta.steps,
    seconds: meta.seconds,
    createdAt: meta.createdAt,
    tags: normaliseTags([...(how.tags ?? []), ...(meta.init === 'encoder' ? [ENCODER_TAG] : [])]),
    source: how.source,
    bytes,
    ...(how.stoppedBy ? { stoppedBy: how.stoppedBy } : {}),
  };
}

export function summaryOf(r: SolutionRecord): SolutionSummary {
  const { bytes: _bytes, ...summary } = r;
  return summary;
}

export const MAX_TAG_LENGTH = 40;
export const MAX_TAGS = 20;

/**
 * Tags as typed ("seed sweep, good ,good") → trimmed, lower-case, unique, in order: what the
 * library keeps. Commas separate tags; spaces inside a tag are kept.
 */
export function normaliseTags(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? input.split(',') : input.flatMap((t) => t.split(','));
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim().replace(/\s+/g, ' ').toLowerCase().slice(0, MAX_TAG_LENGTH);
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out.slice(0, MAX_TAGS);
}

/** Same-model check for panels that need two or more solutions of one model (interpolation, geometry). */
export function sameModel(records: readonly Pick<SolutionSummary, 'modelFingerprint'>[]): boolean {
  return records.every((r) => r.modelFingerprint === records[0]?.modelFingerprint);
}
