import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { decodeSolutionBytes } from '../../src/prototokens/solution-file.ts';
import { decodeAnySolutionBytes } from '../../src/memory/solution-file.ts';
import { transferablesOf, type FromWorker, type RunCheckpoint } from '../../src/worker/protocol.ts';
import { type ProtoSettings } from '../../src/shared/run-settings.ts';
import { ActiveRun, checkResumable, type RunOptions } from '../../src/worker/run.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

type Done = Extract<FromWorker, { type: 'done' }>;

// A 16-token text stories260k does not solve in 40 steps, so both runs end by max-steps.
const TEXT = 'The cat sat on the mat and looked at the';
const STEPS = 40;

describe('a checkpointed run resumes on the same trajectory (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  let tokenizer: Tokenizer;
  let ids: number[];
  const settings: ProtoSettings = { ...PAPER_SETTINGS, maxSteps: STEPS, reportEvery: 5 };

  beforeAll(async () => {
    gpu = await testGpu();
    const src = nodeFolderSource(STORIES);
    model = await loadModel(gpu, src);
    tokenizer = await loadTokenizer(src);
    ids = tokenizer.encode(TEXT);
  });

  async function runToEnd(options: RunOptions): Promise<{ done: Done; checkpoints: RunCheckpoint[] }> {
    const msgs: FromWorker[] = [];
    const run = new ActiveRun(model, tokenizer, ids, TEXT, settings, (m) => msgs.push(m), 'stories260k', 'run', options);
    await run.finished;
    const done = msgs.find((m): m is Done => m.type === 'done');
    if (!done) throw new Error(`no done message: ${msgs.map((m) => m.type).join(', ')}`);
    const doneAt = msgs.indexOf(done);
    const checkpoints = msgs.flatMap((m, i) => (m.type === 'checkpoint' ? (expect(i).toBeLessThan(doneAt), [m.checkpoint]) : []));
    return { done, checkpoints };
  }

  it('N steps straight equal k steps, a checkpoint, and N - k resumed steps', async () => {
    const straight = await runToEnd({ checkpointEveryMs: 0 });
    expect(straight.done.stoppedBy).toBe('max-steps');
    expect(straight.checkpoints.length).toBeGreaterThan(2);
    // A checkpoint from the middle of the run (its step is what it holds: the snapshot is queued in order).
    const mid = straight.checkpoints.find((c) => c.step >= 10 && c.step <= 30);
    expect(mid).toBeDefined();
    const cp = structuredClone(mid!); // as IndexedDB would give it back
    expect(cp.state.adamStep).toBe(cp.step);

    const resumed = await runToEnd({ checkpointEveryMs: 0, resume: cp });
    expect(resumed.done.stoppedBy).toBe('max-steps');
    expect(resumed.done.steps).toBe(straight.done.steps);
    const a = await decodeSolutionBytes(new Uint8Array(straight.done.solution!), 'straight');
    const b = await decodeSolutionBytes(new Uint8Array(resumed.done.solution!), 'resumed');
    expect(Array.from(b.e)).toEqual(Array.from(a.e));
    expect(Array.from(b.m)).toEqual(Array.from(a.m));
    expect(b.meta.loss).toBe(a.meta.loss);
    expect(b.meta.cTokens).toBe(a.meta.cTokens);
    expect(resumed.done.decodedText).toBe(straight.done.decodedText);
    // The last checkpoints of both runs (after every step) hold the same state.
    const lastA = straight.checkpoints.at(-1)!;
    const lastB = resumed.checkpoints.at(-1)!;
    expect(lastB.step).toBe(lastA.step);
    expect(Array.from(lastB.state.params)).toEqual(Array.from(lastA.state.params));
    expect(Array.from(lastB.state.adamV)).toEqual(Array.from(lastA.state.adamV));
  }, 120_000);

  it('checkpoints when it pauses, in a message whose tensors are transferred, not copied', async () => {
    const msgs: FromWorker[] = [];
    // 'step': one step, then a pause; the time-based checkpoints are far off, so this one is the pause's.
    const run = new ActiveRun(model, tokenizer, ids, TEXT, settings, (m) => msgs.push(m), 'stories260k', 'step', { checkpointEveryMs: 1e9 });
    while (!msgs.some((m) => m.type === 'checkpoint')) await new Promise((r) => setTimeout(r, 10));
    run.command('stop', 1);
    await run.finished;
    const cps = msgs.filter((m): m is Extract<FromWorker, { type: 'checkpoint' }> => m.type === 'checkpoint');
    expect(cps).toHaveLength(1);
    expect(cps[0].checkpoint).toMatchObject({ step: 1, text: TEXT, ids, modelFingerprint: model.fingerprint });
    expect(cps[0].checkpoint.state.adamStep).toBe(1);
    expect(cps[0].checkpoint.state.params).toHaveLength(2 * model.spec.hidden);
    const transfer = transferablesOf(cps[0]);
    expect(transfer).toHaveLength(7);
    expect(new Set(transfer).size).toBe(7);
    const moved = structuredClone(cps[0], { transfer });
    expect(moved.checkpoint.state.adamV.length).toBe(2 * model.spec.hidden);
    expect(cps[0].checkpoint.state.adamV.length).toBe(0); // detached here: it was moved, not copied
    // Stopped after that step: the run still ends with its solution.
    expect(msgs.at(-1)).toMatchObject({ type: 'done', stoppedBy: 'stopped', steps: 1 });
  }, 60_000);

  it('refuses a checkpoint of another model or text, saying what to do', async () => {
    const straight = await runToEnd({ checkpointEveryMs: 0 });
    const cp = straight.checkpoints[0];
    expect(() => checkResumable({ ...cp, modelFingerprint: 'other' }, model, ids)).toThrow(/load stories260k to resume/);
    expect(() => checkResumable(cp, model, ids.slice(1))).toThrow(/another text/);
    // The weight format is part of the model a run trains against.
    expect(cp.weightFormat).toBe('f32');
    expect(() => checkResumable({ ...cp, weightFormat: 'q8' }, model, ids)).toThrow(/trains against q8 weights, and the model is loaded as f32: load it with q8 weights \(the weights setting\) to resume it/);
    expect(() => checkResumable({ ...cp, weightFormat: undefined }, model, ids)).not.toThrow();
    // A snapshot of the wrong size is refused by the trainer with the field that does not fit.
    const msgs: FromWorker[] = [];
    const bad = { ...cp, state: { ...cp.state, adamM: cp.state.adamM.slice(1) } };
    const run = new ActiveRun(model, tokenizer, ids, TEXT, settings, (m) => msgs.push(m), 'stories260k', 'run', { resume: bad });
    await expect(run.finished).rejects.toThrow(/adamM has \d+ values but this run needs \d+/);
  }, 120_000);

  // Memory-token runs go through the same ActiveRun, trainer core and checkpoints (issue 15).
  const method = { kind: 'memory', K: 2 } as const;

  it('checkpoints record the method; k steps, a checkpoint and N - k resumed steps give the straight run\'s memory file', async () => {
    const straight = await runToEnd({ method, checkpointEveryMs: 0 });
    expect(straight.done.stoppedBy).toBe('max-steps');
    expect(straight.done.fileName).toBe(`stories260k-${ids.length}tok-seed0-memory2.safetensors`);
    expect(straight.done.meta).toMatchObject({ K: 2, targetIds: ids });
    const mid = straight.checkpoints.find((c) => c.step >= 10 && c.step <= 30)!;
    expect(mid.method).toEqual(method);
    expect(mid.state.params).toHaveLength(2 * model.spec.hidden);
    const resumed = await runToEnd({ method, checkpointEveryMs: 0, resume: structuredClone(mid) });
    expect(resumed.done.steps).toBe(straight.done.steps);
    const a = await decodeAnySolutionBytes(new Uint8Array(straight.done.solution!), 'straight');
    const b = await decodeAnySolutionBytes(new Uint8Array(resumed.done.solution!), 'resumed');
    if (a.method !== 'memory' || b.method !== 'memory') throw new Error('expected memory-token solution files');
    expect(Array.from(b.solution.memory)).toEqual(Array.from(a.solution.memory));
    expect(b.solution.meta.cTokens).toBe(a.solution.meta.cTokens);
    expect(resumed.done.decodedText).toBe(straight.done.decodedText);
  }, 120_000);

  it('refuses to resume a checkpoint under another method', async () => {
    const { checkpoints } = await runToEnd({ method, checkpointEveryMs: 0 });
    expect(() => checkResumable(checkpoints[0], model, ids)).toThrow(/another method/);
    expect(() => checkResumable(checkpoints[0], model, ids, { kind: 'memory', K: 3 })).toThrow(/another method/);
    expect(() => checkResumable(checkpoints[0], model, ids, method)).not.toThrow();
  }, 120_000);
});
