/**
 * The library's side of the page controller: opens the IndexedDB library, keeps every finished
 * or stopped run in it, writes the running optimisation's checkpoints, offers interrupted runs for
 * resuming, and carries out the library view's actions. Files coming in are checked by the worker
 * (a 'checkSolution' request) against the loaded model before they are kept.
 */
import type { EngineClient } from '../worker/client.ts';
import type { FromWorker } from '../worker/protocol.ts';
import { LibraryDb, type CheckpointSummary } from '../library/db.ts';
import { exportFileName } from '../library/names.ts';
import { normaliseTags, recordFromSolution, summaryOf, type SolutionRecord } from '../library/records.ts';
import { isZipName, unzipSolutions, zipFiles, type NamedBytes } from '../library/zip.ts';
import { downloadBytes } from './download.ts';
import {
  checkpointsListed,
  decodedSet,
  importFinished,
  importStarted,
  libraryFailed,
  libraryLoaded,
  libraryRefreshed,
  libraryNotice,
  recordAdded,
  recordsAdded,
  recordsRemoved,
  recordUpdated,
  selectionSet,
  type ImportOutcome,
  type LibraryState,
} from './library-state.ts';
import { errorText } from './probes.ts';
import { errorShown, runRequested, updateSettings } from './reducers.ts';
import { holdRunLock, liveRunIds } from './run-locks.ts';
import { jobBlocker } from './selectors.ts';
import { apply, applyTo, type LabStore } from './store.ts';
import { ONESHOT } from '../shared/run-method.ts';
import { libraryChanges } from '../library/changes.ts';

export interface LibraryActions {
  /** Checks each file (or each .safetensors inside a zip) in the worker and keeps the good ones. */
  libraryImport(files: File[]): Promise<ImportOutcome[]>;
  /**
   * Keeps records made on this page from solutions the worker has just made (their metadata with
   * them, so no decode check): all in one transaction and one state update. Resolves to how many.
   */
  libraryAdd(records: SolutionRecord[]): Promise<number>;
  /** One solution as its .safetensors file, several as one zip. */
  libraryExport(ids: string[]): Promise<void>;
  libraryDelete(ids: string[]): Promise<void>;
  /** Puts back what the last libraryDelete removed. */
  libraryUndoDelete(): Promise<void>;
  /** Replaces a record's tags ("a, b" or a list). */
  libraryTag(id: string, tags: string | string[]): Promise<void>;
  librarySelect(ids: string[]): void;
  /** A fresh copy of the solution file's bytes: free to transfer to the worker. */
  librarySolutionBytes(id: string): Promise<ArrayBuffer>;
  /** One-pass decoding of a record with the loaded model (state.library.decoded). */
  libraryDecode(id: string): void;
  /** Continues an interrupted run from its last checkpoint (the loaded model must be its model). */
  libraryResume(id: string): Promise<void>;
  libraryDiscardCheckpoint(id: string): Promise<void>;
}

export function startLibrary(store: LabStore, client: EngineClient): LibraryActions {
  const get = () => store.getState();
  const lib = <A extends unknown[]>(fn: (l: LibraryState, ...args: A) => LibraryState, ...args: A) => applyTo(store, 'library', fn, ...args);
  const notice = (e: unknown) => lib(libraryNotice, errorText(e));

  // Other tabs' writes arrive here: the list and the offers are read again, after this tab's own pending writes.
  const changes = libraryChanges();
  const opening = LibraryDb.open(undefined, changes);
  // Ask the browser not to evict the library under storage pressure (granted or not, nothing else changes).
  void (globalThis.navigator as Navigator | undefined)?.storage?.persist?.().catch(() => false);
  /** Resolves with the database, or rejects with why there is none (also shown in the state). */
  const db = (): Promise<LibraryDb> => opening;

  /** The run this page is driving: its checkpoints are written under this id, and its lock held. */
  let runId: string | null = null;
  let releaseLock: () => void = () => undefined;
  const setRun = (id: string | null) => {
    releaseLock();
    runId = id;
    releaseLock = id ? holdRunLock(id) : () => undefined;
  };
  let resumingId: string | null = null;
  /** The run interrupted by a lost GPU device, resumed when the worker has the model again. */
  let recoverId: string | null = null;
  let lastRemoved: SolutionRecord[] = [];
  /** Writes are chained so a checkpoint never lands after the run's record and its removal. */
  let writes: Promise<unknown> = Promise.resolve();
  const queue = (fn: (d: LibraryDb) => Promise<unknown>) => {
    // A run's record or checkpoint that could not be written must be seen from any view, not only the library's.
    writes = writes
      .then(() => db().then(fn))
      .catch((e: unknown) => {
        notice(e);
        apply(store, errorShown, `The solution library could not keep a run's result or checkpoint: ${errorText(e)}`);
      });
    return writes;
  };

  /** Kept checkpoints of runs no tab is running any more. */
  const offered = async (all: CheckpointSummary[]) => {
    const live = await liveRunIds();
    return all.filter((c) => c.id !== runId && !live.has(c.id));
  };
  const refreshCheckpoints = () => queue(async (d) => lib(checkpointsListed, await offered(await d.checkpoints())));

  opening.then(
    async (d) => lib(libraryLoaded, await d.list(), await offered(await d.checkpoints())),
    (e: unknown) => lib(libraryFailed, errorText(e)),
  );
  changes.listen(() => void queue(async (d) => lib(libraryRefreshed, await d.list(), await offered(await d.checkpoints()))));

  // A new run on this page gets its own checkpoint id (a resumed one keeps the checkpoint's).
  store.subscribe((s, prev) => {
    if (s.run.phase === 'starting' && prev.run.phase !== 'starting') {
      setRun(resumingId ?? globalThis.crypto.randomUUID());
      resumingId = null;
    }
  });

  const onMessage = (msg: FromWorker) => {
    if (msg.type === 'checkpoint' && runId) {
      const id = runId;
      void queue((d) => d.putCheckpoint(id, msg.checkpoint));
    } else if (msg.type === 'done') {
      const id = runId;
      setRun(null);
      const { solution, meta } = msg;
      // The record first, then the checkpoint goes: a crash in between leaves both, never neither.
      void queue(async (d) => {
        // The library keeps one-shot solutions; a memory-token run's file is offered for saving (RunPanel).
        if (solution && meta && !('K' in meta)) {
          const rec = recordFromSolution(meta, solution, { name: msg.fileName, source: 'run', stoppedBy: msg.stoppedBy });
          lib(recordAdded, await d.add(rec));
        }
        if (id) await d.removeCheckpoint(id);
      });
    } else if (msg.type === 'error' && (msg.op === 'run' || msg.op === 'start')) {
      // The run is over without a solution: its last checkpoint stays, offered for resuming.
      setRun(null);
      void refreshCheckpoints();
    } else if (msg.type === 'deviceLost') {
      // The worker is reloading the model on a new device; resume this run once it is ready.
      recoverId = runId;
      setRun(null);
      void refreshCheckpoints();
    } else if (msg.type === 'modelReady' && recoverId) {
      const id = recoverId;
      recoverId = null;
      // After the pending writes, so the run's last checkpoint is the one resumed.
      void writes.then(() => actions.libraryResume(id));
    }
  };
  client.subscribe(onMessage);

  const check = async (entry: NamedBytes): Promise<ImportOutcome> => {
    const name = entry.name;
    try {
      // The worker takes its copy (transferred); the library keeps ours.
      const decoded = await client.request({ type: 'checkSolution', name, bytes: entry.bytes.slice().buffer as ArrayBuffer });
      const base = name.split('/').pop() || name;
      const rec = recordFromSolution(decoded.meta, entry.bytes.slice().buffer as ArrayBuffer, { name: base, source: 'import' });
      const d = await db();
      lib(recordAdded, await d.add(rec));
      return { name, ok: true, id: rec.id, text: decoded.text, cTokens: decoded.cTokens, N: decoded.meta.targetIds.length };
    } catch (e) {
      return { name, ok: false, reason: errorText(e) };
    }
  };

  const actions: LibraryActions = {
    async libraryImport(files) {
      lib(importStarted, files.length);
      const outcomes: ImportOutcome[] = [];
      const model = get().model;
      if (model.state !== 'ready') {
        const reason = 'No model is loaded: load the model the solutions were made with, then import them (each file is checked against it).';
        lib(importFinished, files.map((f) => ({ name: f.name, ok: false as const, reason })));
        return get().library.imports;
      }
      for (const file of files) {
        let entries: NamedBytes[];
        try {
          const bytes = new Uint8Array(await file.arrayBuffer());
          entries = isZipName(file.name) ? unzipSolutions(bytes, file.name) : [{ name: file.name, bytes }];
          if (entries.length === 0) throw new Error(`${file.name} holds no .safetensors files.`);
        } catch (e) {
          outcomes.push({ name: file.name, ok: false, reason: errorText(e) });
          continue;
        }
        for (const entry of entries) outcomes.push(await check(entry));
      }
      lib(importFinished, outcomes);
      return outcomes;
    },

    async libraryAdd(records) {
      const added = await (await db()).addMany(records);
      // Newest first, as the table lists them.
      lib(recordsAdded, [...added].reverse());
      return added.length;
    },

    async libraryExport(ids) {
      try {
        const d = await db();
        const recs = await Promise.all(ids.map((id) => d.get(id)));
        if (recs.length === 0) throw new Error('Nothing is selected: tick the solutions to export.');
        if (recs.length === 1) downloadBytes(recs[0].bytes, exportFileName(recs[0]));
        else {
          const zip = zipFiles(recs.map((r) => ({ name: exportFileName(r), bytes: new Uint8Array(r.bytes) })));
          downloadBytes(zip, `protolab-solutions-${recs.length}.zip`, 'application/zip');
        }
      } catch (e) {
        notice(e);
      }
    },

    async libraryDelete(ids) {
      try {
        const removed = await (await db()).remove(ids);
        lastRemoved = removed;
        lib(recordsRemoved, removed.map(summaryOf));
      } catch (e) {
        notice(e);
      }
    },

    async libraryUndoDelete() {
      if (lastRemoved.length === 0) return;
      try {
        const d = await db();
        await d.restore(lastRemoved);
        lastRemoved = [];
        lib((l) => ({ ...l, undo: null }));
        lib(libraryLoaded, await d.list(), get().library.checkpoints);
      } catch (e) {
        notice(e);
      }
    },

    async libraryTag(id, tags) {
      try {
        lib(recordUpdated, await (await db()).setTags(id, normaliseTags(tags)));
      } catch (e) {
        notice(e);
      }
    },

    librarySelect: (ids) => lib(selectionSet, ids),

    async librarySolutionBytes(id) {
      return (await db()).bytes(id);
    },

    libraryDecode(id) {
      lib(decodedSet, { id, state: 'decoding' });
      actions
        .librarySolutionBytes(id)
        .then((bytes) => client.request({ type: 'checkSolution', name: get().library.records.find((r) => r.id === id)?.name ?? id, bytes }))
        .then(
          (d) => lib(decodedSet, { id, state: 'ready', text: d.text, cTokens: d.cTokens, N: d.meta.targetIds.length }),
          (e: unknown) => lib(decodedSet, { id, state: 'error', message: errorText(e) }),
        );
    },

    async libraryResume(id) {
      try {
        const s = get();
        const busy = jobBlocker(s);
        if (busy) throw new Error(busy);
        const cp = await (await db()).checkpoint(id);
        if (s.model.state !== 'ready' || s.model.info.fingerprint !== cp.modelFingerprint) {
          throw new Error(`This run was made with ${cp.modelLabel || cp.modelId}: load that model, then resume it.`);
        }
        const { settings } = cp;
        const method = cp.method ?? ONESHOT;
        const tokens = await client.request({ type: 'tokenize', text: cp.text, layout: settings.layout, firstTarget: settings.firstTarget, method });
        const same = tokens.ids.length === cp.ids.length && tokens.ids.every((t, i) => t === cp.ids[i]);
        const pieces = same ? tokens.pieces : cp.ids.map(String);
        apply(store, updateSettings, {
          view: 'compress',
          text: cp.text,
          maxSteps: settings.maxSteps,
          lr: settings.lr,
          seed: settings.seed,
          reportEvery: settings.reportEvery,
          layout: settings.layout,
          firstTarget: settings.firstTarget,
          method: method.kind,
          ...(method.kind === 'memory' ? { memoryTokens: method.K } : {}),
        });
        resumingId = cp.id;
        apply(store, runRequested, { text: cp.text, ids: cp.ids, pieces, maxTokens: tokens.maxTokens, tooLong: false }, s.model.info.label);
        lib(checkpointsListed, get().library.checkpoints.filter((c) => c.id !== id));
        const { id: _id, savedAt: _savedAt, ...checkpoint } = cp;
        client.send({ type: 'start', ids: cp.ids, text: cp.text, settings, method, resume: checkpoint });
      } catch (e) {
        resumingId = null;
        notice(e);
      }
    },

    async libraryDiscardCheckpoint(id) {
      await queue((d) => d.removeCheckpoint(id));
      lib(checkpointsListed, get().library.checkpoints.filter((c) => c.id !== id));
    },
  };
  return actions;
}
