/**
 * One compression run inside the worker: trainer + control + loop, progress messages every
 * report interval (with the one-pass text of the current argmax), and the final solution file.
 */
import { FORMAT_BEFORE_FORMATS } from '../shared/weight-formats.ts';
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { validateSettings, type ProtoSettings } from '../shared/run-settings.ts';
import { ONESHOT, type RunMethod } from '../shared/run-method.ts';
import { startMethod, type EncoderFrom } from './run-method.ts';
import type { FromWorker, RunCheckpoint } from './protocol.ts';
import { RunControl, type ControlCommand } from './run-control.ts';
import { optimise } from '../prototokens/optimise.ts';
import { NONE } from '../model/transformer.ts';

type Post = (msg: FromWorker) => void;

/** How often a running optimisation posts its checkpoint (it also posts one whenever it pauses). */
export const CHECKPOINT_EVERY_MS = 3000;

export interface RunOptions {
  /** Proto-tokens (the default) or memory tokens. */
  method?: RunMethod;
  /** Continue this checkpoint (same model, text, settings and method) instead of starting afresh. */
  resume?: RunCheckpoint;
  /** 0: a checkpoint after every report (tests). */
  checkpointEveryMs?: number;
  /**
   * Start from an encoder's prediction instead of the seeded draw. A function, so the prediction
   * (GPU work that may fail) runs inside the run, whose failure the engine reports as the run's.
   */
  encoder?: () => Promise<EncoderFrom>;
}

/** Refuses a checkpoint that does not belong to this model, text and method, saying why. */
export function checkResumable(cp: RunCheckpoint, model: Pick<Model, 'id' | 'fingerprint' | 'weightFormat'>, ids: readonly number[], method: RunMethod = ONESHOT): void {
  if (JSON.stringify(cp.method ?? ONESHOT) !== JSON.stringify(method)) {
    throw new Error('The interrupted run used another method (proto-tokens or memory tokens, and their count) than the one sent with it: resume it from the library notice.');
  }
  if (cp.modelFingerprint !== model.fingerprint) {
    throw new Error(`The interrupted run was made with ${cp.modelLabel || cp.modelId}, not with the loaded model ${model.id}: load ${cp.modelLabel || cp.modelId} to resume it.`);
  }
  const trained = cp.weightFormat ?? FORMAT_BEFORE_FORMATS;
  if (trained !== model.weightFormat) {
    throw new Error(`The interrupted run trains against ${trained} weights, and the model is loaded as ${model.weightFormat}: load it with ${trained} weights (the weights setting) to resume it.`);
  }
  if (cp.ids.length !== ids.length || cp.ids.some((t, i) => t !== ids[i])) {
    throw new Error('The interrupted run was for another text than the one sent with it: resume it from the library notice, not with a new text.');
  }
}

export class ActiveRun {
  readonly control: RunControl;
  /** Settles when the run has posted `done` (or an error) and freed its GPU memory. */
  readonly finished: Promise<void>;

  constructor(
    private readonly model: Model,
    private readonly tokenizer: Tokenizer,
    private readonly ids: number[],
    private readonly text: string,
    private readonly settings: ProtoSettings,
    private readonly post: Post,
    private readonly modelLabel: string,
    begin: 'run' | 'paused' | 'step',
    private readonly options: RunOptions = {},
  ) {
    this.control = new RunControl(begin);
    this.finished = this.run();
  }

  /** Stop is announced at once; pause and resume when the loop actually pauses or resumes. */
  command(c: ControlCommand, step: number): void {
    if (this.control.command(c) && this.control.phase === 'stopping') this.post({ type: 'runState', phase: 'stopping', step });
  }

  private async run(): Promise<void> {
    const { model, tokenizer, ids, settings, post } = this;
    validateSettings(settings);
    const { resume } = this.options;
    const method = this.options.method ?? ONESHOT;
    if (resume) checkResumable(resume, model, ids, method);
    const encoder = this.options.encoder ? await this.options.encoder() : undefined;
    const { trainer, finish } = await startMethod(model, ids, settings, method, encoder);
    const fromEncoder = encoder ? { encoder: { initialCorrect: encoder.initialCorrect } } : {};
    if (encoder) post({ type: 'encoderStart', N: ids.length, initialCorrect: encoder.initialCorrect });
    let lastStep = resume?.step ?? 0;
    // Checkpoints: the snapshot's readback is queued at once (so it holds exactly the steps
    // submitted so far); the message is posted when it arrives, always before 'done'.
    const every = this.options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS;
    let checkpointAt = performance.now();
    let pending: Promise<void> = Promise.resolve();
    let gain = { bestGainStep: resume?.bestGainStep ?? 0, bestCorrect: resume?.bestCorrect ?? 0, elapsedMs: resume?.elapsedMs ?? 0 };
    const checkpoint = () => {
      checkpointAt = performance.now();
      const { bestGainStep, bestCorrect, elapsedMs } = gain;
      const snap = trainer.snapshot();
      pending = pending.then(async () => {
        const state = await snap;
        post({
          type: 'checkpoint',
          checkpoint: { modelId: model.id, modelFingerprint: model.fingerprint, weightFormat: model.weightFormat, modelLabel: this.modelLabel, ids, text: this.text, settings, method, ...fromEncoder, step: state.step, elapsedMs, bestGainStep, bestCorrect, state },
        });
      });
    };
    try {
      if (resume) trainer.restore(resume.state);
      if (this.control.phase === 'running') post({ type: 'runState', phase: 'running', step: 0 });
      const N = ids.length;
      const result = await optimise(trainer, {
        gate: () => this.control.next(),
        resumed: resume ? gain : undefined,
        onPaused: (step) => {
          post({ type: 'runState', phase: 'paused', step });
          checkpoint();
        },
        onResumed: (step) => post({ type: 'runState', phase: 'running', step }),
        onReport: (r, t) => {
          lastStep = r.step;
          gain = { bestGainStep: t.bestGainStep, bestCorrect: r.bestCorrect[0], elapsedMs: t.elapsedMs };
          if (performance.now() - checkpointAt >= every && this.control.phase === 'running') checkpoint();
          post({
            type: 'progress',
            step: r.step,
            N,
            loss: r.loss[0],
            accuracy: r.correct[0] / N,
            cTokens: r.correct[0],
            bestCorrect: r.bestCorrect[0],
            bestLoss: r.bestLoss[0],
            stepsPerSec: t.stepsPerSec,
            elapsedMs: t.elapsedMs,
            argmax: r.argmax[0],
            decodedText: tokenizer.decode(r.argmax[0]),
          });
        },
      });
      await pending;
      post({ type: 'runState', phase: 'finishing', step: result.last.step });
      const { last, seconds, steps } = result;
      // No step ran (stopped before the first): there is no best to keep.
      if (last.bestStep[0] === NONE) {
        post({ type: 'done', solution: null, fileName: '', meta: null, decodedIds: [], decodedText: '', stoppedBy: result.stoppedBy, steps: 0, seconds });
        return;
      }
      const { decodedIds, meta, bytes } = await finish(result.best[0], { targetIds: ids, text: this.text, seed: settings.seed, steps, loss: last.bestLoss[0], seconds });
      const solution = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
      post({
        type: 'done',
        solution,
        fileName: solutionFileName(this.modelLabel, N, settings.seed, method),
        meta,
        decodedIds,
        decodedText: tokenizer.decode(decodedIds),
        stoppedBy: result.stoppedBy,
        steps,
        seconds,
      });
    } catch (e) {
      post({ type: 'runState', phase: 'finishing', step: lastStep });
      throw e;
    } finally {
      await pending.catch(() => undefined);
      trainer.destroy();
    }
  }
}

/** "stories260k-16tok-seed0.safetensors": the model's name (last path segment), the length and the seed. */
export function solutionFileName(modelLabel: string, N: number, seed: number, method: RunMethod = ONESHOT): string {
  const base = modelLabel.replace(/@.*$/, '').split('/').filter(Boolean).pop() ?? 'model';
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '') || 'model';
  return `${safe}-${N}tok-seed${seed}${method.kind === 'memory' ? `-memory${method.K}` : ''}.safetensors`;
}
