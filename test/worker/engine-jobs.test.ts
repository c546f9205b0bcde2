import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/worker/engine.ts';
import { jobBusyMessage, PAPER_SETTINGS, type FromWorker, type JobKind, type ToWorker } from '../../src/worker/protocol.ts';
import { DEFAULT_GEOMETRY } from '../../src/geometry/experiment-types.ts';

/** An engine with a (stand-in) model loaded and `kind` running, as its hosts would hold it. */
function busyEngine(kind: JobKind): { engine: Engine; posted: FromWorker[] } {
  const posted: FromWorker[] = [];
  const engine = new Engine((m) => posted.push(m));
  // The stand-in model is never used: every start below must be refused before it is touched.
  const e = engine as unknown as { loaded: unknown; run: unknown; experiments: { active: unknown }; geometry: { active: unknown }; interp: { job: unknown } };
  e.loaded = { model: {}, tokenizer: {}, label: 'stand-in' };
  if (kind === 'compress') e.run = {};
  if (kind === 'experiment') e.experiments.active = {};
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
const KINDS: JobKind[] = ['compress', 'experiment', 'geometry', 'scan', 'train'];

describe('engine: one long job at a time, one check, one message', () => {
  it.each(KINDS)('while %s runs, every start is refused with the message naming it', async (kind) => {
    for (const msg of STARTS) {
      const { engine, posted } = busyEngine(kind);
      engine.handle(msg);
      await new Promise((r) => setTimeout(r, 0));
      expect(posted, `${msg.type} while ${kind} runs`).toEqual([{ type: 'error', op: msg.type, message: jobBusyMessage(kind), ...('requestId' in msg ? { requestId: msg.requestId } : {}) }]);
    }
  });

  it('the message says what runs, where, and what to do', () => {
    expect(jobBusyMessage('compress')).toBe('A compression is running (Compress view): stop it or let it finish first; one job runs at a time.');
    expect(jobBusyMessage('experiment')).toMatch(/^An experiment is running \(Experiments view\): cancel it/);
    expect(jobBusyMessage('geometry')).toMatch(/^The geometry experiment is running \(Geometry view\): stop it/);
    expect(jobBusyMessage('scan')).toMatch(/^An interpolation scan is running \(Interpolate view\): let it finish/);
    expect(jobBusyMessage('train')).toMatch(/^A Bezier training is running \(Interpolate view\): stop it/);
  });
});
