/**
 * The interpolate view's actions: picks a pair from the library (refused with the reason when the
 * two cannot share a path), sends the pair and its path jobs to the worker, keeps each trained
 * curve with its pair in the curve store, reads a kept curve back when the pair is picked again,
 * and follows a finished training with the scan of its curve.
 */
import type { EngineClient } from '../worker/client.ts';
import type { PathKind } from '../worker/protocol.ts';
import { pairProblem } from '../geometry/pair.ts';
import { CurveStore } from '../library/curve-store.ts';
import { apply, applyTo, type LabStore } from './store.ts';
import { updateSettings } from './reducers.ts';
import { bezierSettingsOf } from './interp-settings.ts';
import { IDLE_INTERP, interpCurveLoaded, interpDecodeRequested, interpPairRefused, interpPairRequested, interpScanRequested, interpTrainRequested, type InterpView } from './interp-state.ts';
import { jobBlocker } from './selectors.ts';
import { errorText } from './probes.ts';

export interface InterpActions {
  /** Picks library solutions a and b as the pair (the view's two selects). */
  interpPick(a: string, b: string): void;
  interpScan(kind: PathKind): void;
  interpTrain(): void;
  interpStopTraining(): void;
  /** Moves the tau slider: decodes there on the segment and, when trained, on the curve. */
  interpDecode(tau: number): void;
}


export function createInterpActions(store: LabStore, client: EngineClient, solutionBytes: (id: string) => Promise<ArrayBuffer>): InterpActions {
  const get = () => store.getState();
  const update = (f: (v: InterpView) => InterpView) => applyTo(store, 'interp', f);
  let curves: Promise<CurveStore> | null = null;
  const curveStore = () => (curves ??= CurveStore.open());

  const refuse = (ids: [string, string], message: string) => update((v) => interpPairRefused(v, ids, message));

  const actions: InterpActions = {
    interpPick(a, b) {
      apply(store, updateSettings, { interpA: a, interpB: b });
      const ids: [string, string] = [a, b];
      const records = get().library.records;
      const x = records.find((r) => r.id === a);
      const y = records.find((r) => r.id === b);
      if (!x || !y) return refuse(ids, 'Pick two solutions from the library (one of the picked ones is not there any more).');
      if (a === b) return refuse(ids, 'The two ends are the same solution: pick two different solutions (for example two seeds of one text).');
      const why = pairProblem({ ...x, targetIds: x.ids }, { ...y, targetIds: y.ids });
      if (why) return refuse(ids, why);
      const model = get().model;
      if (model.state !== 'ready') return refuse(ids, 'Load the model these solutions were made with first.');
      if (model.info.fingerprint !== x.modelFingerprint) return refuse(ids, `These solutions were made with ${x.model}, but the loaded model is ${model.info.label}: load ${x.model} first.`);
      const requestId = client.newRequestId();
      update((v) => interpPairRequested(v, requestId, ids));
      const others = records.filter((r) => r.id !== a && r.id !== b && r.modelFingerprint === x.modelFingerprint);
      Promise.all([solutionBytes(a), solutionBytes(b), ...others.map((r) => solutionBytes(r.id))]).then(
        ([ba, bb, ...rest]) => client.send({ type: 'pathPair', requestId, a: ba, b: bb, names: [x.name, y.name], others: others.map((r, i) => ({ id: r.id, bytes: rest[i] })) }),
        (e: unknown) => refuse(ids, `The library could not read the solutions: ${errorText(e)}`),
      );
    },
    interpScan(kind) {
      const v = get().interp;
      if (v.pair.state !== 'ready' || jobBlocker(get()) !== null) return;
      if (kind === 'bezier' && !v.curve) return;
      const requestId = client.newRequestId();
      update((w) => interpScanRequested(w, kind, requestId));
      client.send({ type: 'pathScan', requestId, kind, control: kind === 'bezier' ? v.curve!.control : null, resolution: get().settings.interpResolution });
    },
    interpTrain() {
      const v = get().interp;
      if (v.pair.state !== 'ready' || jobBlocker(get()) !== null) return;
      const settings = bezierSettingsOf(get().settings);
      const requestId = client.newRequestId();
      update((w) => interpTrainRequested(w, requestId, settings.steps));
      client.send({ type: 'bezierTrain', requestId, settings });
    },
    interpStopTraining() {
      if (get().interp.training) client.send({ type: 'bezierStop' });
    },
    interpDecode(tau) {
      apply(store, updateSettings, { interpTau: tau });
      decodeSoon();
    },
  };

  // The slider fires on every pixel: decode at the latest tau once the input pauses briefly.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const decodeSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(decodeNow, 40);
  };
  const decodeNow = () => {
    const v = get().interp;
    if (v.pair.state !== 'ready') return;
    const tau = get().settings.interpTau;
    const kinds: PathKind[] = v.curve ? ['linear', 'bezier'] : ['linear'];
    for (const kind of kinds) {
      const requestId = client.newRequestId();
      update((w) => interpDecodeRequested(w, kind, requestId));
      client.send({ type: 'pathDecode', requestId, kind, tau, control: kind === 'bezier' ? v.curve!.control : null });
    }
  };

  store.subscribe((s, prev) => {
    // Another model is loading: the worker forgets the pair (and stops its jobs), so does the view.
    if (s.model.state === 'loading' && prev.model.state !== 'loading' && s.interp !== IDLE_INTERP) {
      update(() => IDLE_INTERP);
      return;
    }
    const v = s.interp;
    const p = prev.interp;
    // A pair became ready: the segment's scan, the decoding at tau, and a kept curve if there is one.
    if (v.pair.state === 'ready' && p.pair.state !== 'ready') {
      const [a, b] = v.pair.ids;
      actions.interpScan('linear');
      decodeNow();
      curveStore()
        .then((c) => c.get(a, b))
        .then((kept) => {
          const now = get().interp;
          if (!kept || now.pair.state !== 'ready' || now.pair.ids[0] !== a || now.pair.ids[1] !== b || now.curve) return;
          update((w) => interpCurveLoaded(w, { control: kept.control, losses: kept.losses, lengthRatio: kept.lengthRatio, settings: kept.settings, stopped: kept.stopped, seconds: kept.seconds, origin: 'saved' }));
        })
        .catch((e: unknown) => update((w) => ({ ...w, error: `Kept curves could not be read: ${errorText(e)}` })));
    }
    // A curve arrived (trained or read back): save a trained one with its pair, then scan it and decode on it.
    if (v.curve && v.curve !== p.curve && v.pair.state === 'ready') {
      if (v.curve.origin === 'trained') {
        const c = v.curve;
        const ids = v.pair.ids;
        curveStore()
          .then((st) => st.put({ ids, control: c.control, losses: c.losses, lengthRatio: c.lengthRatio, settings: c.settings, stopped: c.stopped, seconds: c.seconds, linearMeanLoss: v.scans.linear?.meanLoss ?? null, curveMeanLoss: null }))
          .then(() => update((w) => ({ ...w, curveSaved: true })))
          .catch((e: unknown) => update((w) => ({ ...w, error: `The trained curve could not be saved: ${errorText(e)}` })));
      }
      if (!v.scanning) actions.interpScan('bezier');
      decodeNow();
    }
    // The curve's scan arrived: keep the two mean losses with the curve.
    if (v.scans.bezier && !p.scans.bezier && v.curve && v.pair.state === 'ready') {
      const [a, b] = v.pair.ids;
      const lin = v.scans.linear?.meanLoss ?? null;
      const bez = v.scans.bezier.meanLoss;
      curveStore()
        .then(async (st) => {
          const kept = await st.get(a, b);
          if (kept) await st.put({ ...kept, linearMeanLoss: lin ?? kept.linearMeanLoss, curveMeanLoss: bez });
        })
        .catch((e: unknown) => update((w) => ({ ...w, error: `The curve's scan could not be saved: ${errorText(e)}` })));
    }
    // The segment's scan finished while the curve waited for its turn.
    if (!v.scanning && p.scanning && v.curve && !v.scans.bezier && p.scanning.kind !== 'bezier') actions.interpScan('bezier');
  });

  return actions;
}

