/**
 * One compression run inside the worker: trainer + control + loop, progress messages every
 * report interval (with the one-pass text of the current argmax), and the final solution file.
 */
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { decodeOnePass } from '../prototokens/decode.ts';
import { singleText } from '../prototokens/problem.ts';
import { encodeSolution, LAB_VERSION, type SolutionMeta } from '../prototokens/solution-file.ts';
import { validateSettings, type ProtoSettings } from '../prototokens/settings.ts';
import { ProtoTrainer } from '../prototokens/trainer.ts';
import { NONE } from '../model/transformer.ts';
import type { FromWorker } from './protocol.ts';
import { RunControl, type ControlCommand } from './run-control.ts';
import { runLoop } from './run-loop.ts';

type Post = (msg: FromWorker) => void;

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
    const trainer = await ProtoTrainer.create(model, singleText(ids, settings.seed), settings);
    let lastStep = 0;
    try {
      if (this.control.phase === 'running') post({ type: 'runState', phase: 'running', step: 0 });
      const N = ids.length;
      const result = await runLoop(trainer, this.control, {
        onPaused: (step) => post({ type: 'runState', phase: 'paused', step }),
        onResumed: (step) => post({ type: 'runState', phase: 'running', step }),
        onReport: (r, t) => {
          lastStep = r.step;
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
      post({ type: 'runState', phase: 'finishing', step: result.last.step });
      const last = result.last;
      const seconds = result.elapsedMs / 1000;
      const bestStep = last.bestStep[0];
      const steps = result.stoppedBy === 'solved' && bestStep !== NONE ? bestStep + 1 : last.step;
      if (bestStep === NONE) {
        post({ type: 'done', solution: null, fileName: '', meta: null, decodedIds: [], decodedText: '', stoppedBy: result.stoppedBy, steps: last.step, seconds });
        return;
      }
      const [best] = await trainer.bestVectors();
      const decodedIds = await decodeOnePass(model, best, settings.layout, settings.firstTarget, N);
      const cTokens = decodedIds.filter((t, i) => t === ids[i]).length;
      const meta: SolutionMeta = {
        model: model.id,
        modelFingerprint: model.fingerprint,
        hidden: model.spec.hidden,
        layout: settings.layout,
        firstTarget: settings.firstTarget,
        targetIds: ids,
        text: this.text,
        seed: settings.seed,
        lr: settings.lr,
        init: settings.init,
        steps,
        loss: last.bestLoss[0],
        accuracy: cTokens / N,
        cTokens,
        seconds,
        createdAt: new Date().toISOString(),
        labVersion: LAB_VERSION,
      };
      const bytes = encodeSolution({ e: best.e, m: best.m, meta });
      const solution = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
      post({
        type: 'done',
        solution,
        fileName: solutionFileName(this.modelLabel, N, settings.seed),
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
      trainer.destroy();
    }
  }
}

/** "stories260k-16tok-seed0.safetensors": the model's name (last path segment), the length and the seed. */
export function solutionFileName(modelLabel: string, N: number, seed: number): string {
  const base = modelLabel.replace(/@.*$/, '').split('/').filter(Boolean).pop() ?? 'model';
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '') || 'model';
  return `${safe}-${N}tok-seed${seed}.safetensors`;
}
