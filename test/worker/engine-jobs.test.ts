import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/worker/engine.ts';
import { type FromWorker, type ToWorker } from '../../src/worker/protocol.ts';
import { jobBusyMessage, type JobKind } from '../../src/shared/jobs.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { DEFAULT_GEOMETRY } from '../../src/geometry/experiment-types.ts';

/** An engine with a (stand-in) model loaded and `kind` running, as its hosts would hold it. */
function busyEngine(kind: JobKind | null): { engine: Engine; posted: FromWorker[] } {
  const posted: FromWorker[] = [];
  const engine = new Engine((m) => posted.push(m));
  // The stand-in model is never used: every start below must be refused before it is touched.
  const e = engine as unknown as { loaded: unknown; run: unknown; experiments: { active: unknown; timingNow: boolean }; geometry: { active: unknown }; interp: { job: unknown } };
  e.loaded = { model: {}, tokenizer: {}, label: 'stand-in' };
  if (kind === 'compress') e.run = {};
  if (kind === 'experiment') e.experiments.active = {};
  if (kind === 'throughput') e.experiments.timingNow = true;
  if (kind === 'geometry') e.geometry.active = { stop: false, finished: Promise.resolve() };
  if (kind === 'scan' || kind === 'train') e.interp.job = kind;
  return { engine, posted };
}

const STARTS: ToWorker[] = [
  { type: 'start', ids: [1, 2], text: 'ab', settings: PAPER_SETTINGS },
  { type: 'experimentStart', spec: {} as never },
  { type: 'throughput', requestId: 3, bytes: new ArrayBuffer(4), name: 'x.safetensors', repeats: 2 },
  { type: 'geometryStart', settings: { ...DEFAULT_GEOMETRY }, proto: { layout: 'e,m*(N-1)', firstTarget: 'e', lr: 0.01 }, served: [] },
  { type: 'pathScan', requestId: 4, kind: 'linear', control: null, resolution: 3 },
  { type: 'bezierTrain', requestId: 5, settings: {} as never },
];
const KINDS: JobKind[] = ['compress', 'experiment', 'throughput', 'geometry', 'scan', 'train'];

describe('engine: one long job at a time, one check, one message', () => {
  it.each(KINDS)('while %s runs, every start is refused with the message naming it', async (kind) => {
    for (const msg of STARTS) {
      const { engine, posted } = busyEngine(kind);
      engine.handle(msg);
      await new Promise((r) => setTimeout(r, 0));
      expect(posted, `${msg.type} while ${kind} runs`).toEqual([{ type: 'error', op: msg.type, message: jobBusyMessage(kind), ...('requestId' in msg ? { requestId: msg.requestId } : {}) }]);
    }
  });

  it('a throughput timing holds the engine from its start to its end, so every start (a second timing too) is refused meanwhile', async () => {
    for (const msg of STARTS) {
      const { engine, posted } = busyEngine(null);
      // A timing that fails on its file after its start: while it reads the file, it runs.
      const timing: ToWorker = { type: 'throughput', requestId: 1, bytes: new ArrayBuffer(4), name: 'bad.safetensors', repeats: 2 };
      engine.handle(timing);
      engine.handle(msg);
      await new Promise((r) => setTimeout(r, 0));
      expect(posted.find((p) => p.type === 'error' && p.op === msg.type && p.requestId === ('requestId' in msg ? msg.requestId : undefined)), `${msg.type} during a timing`).toEqual({ type: 'error', op: msg.type, message: jobBusyMessage('throughput'), ...('requestId' in msg ? { requestId: msg.requestId } : {}) });
      // Once it has ended (here, refused its file), the engine is free again.
      posted.length = 0;
      engine.handle(timing);
      await new Promise((r) => setTimeout(r, 0));
      expect(posted).toHaveLength(1);
      expect(posted[0]).toMatchObject({ type: 'error', op: 'throughput', requestId: 1 });
      expect((posted[0] as { message: string }).message).not.toBe(jobBusyMessage('throughput'));
    }
  });

  it('a model switch during a timing waits for it to end before it destroys the model being timed', async () => {
    const { engine } = busyEngine('throughput');
    const e = engine as unknown as { loaded: { model: { destroy: () => void } }; experiments: { timingNow: boolean; timingEnd: Promise<void> }; loadModel: (spec: unknown) => Promise<void> };
    let destroyed = false;
    e.loaded.model.destroy = () => {
      destroyed = true;
    };
    let end = (): void => {};
    e.experiments.timingEnd = new Promise((resolve) => (end = resolve));
    // The new source is never reached in this test: what matters is what happens before it.
    const switching = e.loadModel({ kind: 'url', url: 'http://127.0.0.1:9/none/' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(destroyed, 'destroyed while the timing runs').toBe(false);
    e.experiments.timingNow = false;
    end();
    await switching;
    expect(destroyed).toBe(true);
  });

  it('the message says what runs, where, and what to do', () => {
    expect(jobBusyMessage('compress')).toBe('A compression is running (Compress view): stop it or let it finish first; one job runs at a time.');
    expect(jobBusyMessage('experiment')).toMatch(/^An experiment is running \(Experiments view\): cancel it/);
    expect(jobBusyMessage('throughput')).toBe('A throughput timing is running (Experiments view): let it finish first; one job runs at a time.');
    expect(jobBusyMessage('geometry')).toMatch(/^The geometry experiment is running \(Geometry view\): stop it/);
    expect(jobBusyMessage('scan')).toMatch(/^An interpolation scan is running \(Interpolate view\): let it finish/);
    expect(jobBusyMessage('train')).toMatch(/^A Bezier training is running \(Interpolate view\): stop it/);
  });
});
