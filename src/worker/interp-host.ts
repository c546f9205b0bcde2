/**
 * The worker side of the interpolation panel: holds the current pair of solutions and runs its
 * path jobs. Scans and Bezier training are heavy (many forward/backward passes): the engine starts
 * one only when no long job runs (`busy` here, jobs.ts), so they run one at a time.
 */
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { checkSolutionFits, decodeSolutionBytes } from '../prototokens/solution-file.ts';
import { makePair, pairProblem, type SolutionPair } from '../geometry/pair.ts';
import { decodeAt, meanAlongTau, scanPath } from '../geometry/jobs/scan.ts';
import { trainControlPoint } from '../geometry/jobs/bezier.ts';
import { distance, flatten, lengthRatio, midpoint } from '../geometry/path.ts';
import type { InterpFromWorker, InterpToWorker } from './interp-protocol.ts';

type Post = (msg: InterpFromWorker) => void;
type Msg<T extends InterpToWorker['type']> = Extract<InterpToWorker, { type: T }>;

/** Finest scan the panel asks for: a grid point is one batch item, so this bounds a scan's work. */
export const MAX_SCAN_RESOLUTION = 1001;

export class InterpHost {
  private pair: SolutionPair | null = null;
  private pairModel: Model | null = null;
  /** The heavy job now running ('scan' or 'train'), if any. */
  private job: 'scan' | 'train' | null = null;
  private stopRequested = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly post: Post) {}

  get busy(): 'scan' | 'train' | null {
    return this.job;
  }

  async setPair(model: Model, tokenizer: Tokenizer, msg: Msg<'pathPair'>): Promise<void> {
    const [x, y] = await Promise.all([decodeSolutionBytes(new Uint8Array(msg.a), msg.names[0]), decodeSolutionBytes(new Uint8Array(msg.b), msg.names[1])]);
    checkSolutionFits(x.meta, model);
    checkSolutionFits(y.meta, model);
    const why = pairProblem(x.meta, y.meta);
    if (why) throw new Error(why);
    const pair = makePair(x, y);
    const [da, db] = await Promise.all([decodeAt(model, pair, null, 0), decodeAt(model, pair, null, 1)]);
    const others: { id: string; point: Float64Array }[] = [];
    for (const o of msg.others ?? []) {
      try {
        const s = await decodeSolutionBytes(new Uint8Array(o.bytes), o.id);
        checkSolutionFits(s.meta, model);
        others.push({ id: o.id, point: flatten(s.e, s.m) });
      } catch {
        // Only context for the 2-D view: a solution of another model or a damaged one is not drawn.
      }
    }
    this.pair = pair;
    this.pairModel = model;
    const ids = pair.target.targets;
    this.post({
      type: 'pathPaired',
      requestId: msg.requestId,
      N: ids.length,
      text: x.meta.text,
      ids,
      pieces: tokenizer.tokenStrings(ids),
      decodedA: da.argmax,
      decodedB: db.argmax,
      a: pair.a,
      b: pair.b,
      distance: distance(pair.a, pair.b),
      others,
    });
  }

  async scan(model: Model, msg: Msg<'pathScan'>): Promise<void> {
    const pair = this.current(model);
    const R = msg.resolution;
    if (!Number.isInteger(R) || R < 2 || R > MAX_SCAN_RESOLUTION) throw new Error(`The scan resolution must be a whole number of points from 2 to ${MAX_SCAN_RESOLUTION}, got ${R}.`);
    const control = this.checkControl(pair, msg.kind === 'linear' ? null : msg.control);
    await this.exclusive('scan', async () => {
      const s = await scanPath(model, pair, control, R);
      this.post({
        type: 'pathScanned',
        requestId: msg.requestId,
        kind: msg.kind,
        tau: s.tau,
        loss: s.loss,
        accuracy: s.accuracy,
        meanLoss: meanAlongTau(s.tau, s.loss),
        lengthRatio: lengthRatio(pair.a, pair.b, control ?? midpoint(pair.a, pair.b)),
      });
    });
  }

  async train(model: Model, msg: Msg<'bezierTrain'>): Promise<void> {
    const pair = this.current(model);
    await this.exclusive('train', async () => {
      this.stopRequested = false;
      const started = performance.now();
      let lastPost = 0;
      const r = await trainControlPoint(model, pair, msg.settings, {
        gate: () => (this.stopRequested ? 'stop' : 'go'),
        onStep: ({ step, loss }) => {
          // Every step on a slow adapter, at most ~20 per second on a fast one, and always the last.
          const now = performance.now();
          if (now - lastPost < 50 && step < msg.settings.steps) return;
          lastPost = now;
          this.post({ type: 'bezierProgress', requestId: msg.requestId, step, steps: msg.settings.steps, loss, elapsedMs: now - started });
        },
      });
      this.post({
        type: 'bezierTrained',
        requestId: msg.requestId,
        control: r.control,
        losses: r.losses,
        lengthRatio: lengthRatio(pair.a, pair.b, r.control),
        stopped: r.stopped,
        settings: r.settings,
        seconds: (performance.now() - started) / 1000,
      });
    });
  }

  stop(): void {
    if (this.job !== 'train') throw new Error('No Bezier training is running to stop.');
    this.stopRequested = true;
  }

  /** Before the model goes away: stops training, waits for the running job, forgets the pair. */
  async release(): Promise<void> {
    this.stopRequested = true;
    await this.running.catch(() => undefined);
    this.pair = null;
    this.pairModel = null;
  }

  /** One forward pass: light enough to run beside a heavy job (its own buffers), so the tau slider stays live. */
  async decode(model: Model, tokenizer: Tokenizer, msg: Msg<'pathDecode'>): Promise<void> {
    const pair = this.current(model);
    const r = await decodeAt(model, pair, this.checkControl(pair, msg.control), msg.tau);
    this.post({ type: 'pathDecoded', requestId: msg.requestId, kind: msg.kind, tau: msg.tau, ids: r.argmax, pieces: tokenizer.tokenStrings(r.argmax), loss: r.loss, correct: r.correct });
  }

  private current(model: Model): SolutionPair {
    if (!this.pair || this.pairModel !== model) throw new Error('No pair of solutions is selected for this model: pick two solutions first.');
    return this.pair;
  }

  private checkControl(pair: SolutionPair, control: Float64Array | null): Float64Array | null {
    if (control && control.length !== pair.a.length) throw new Error(`The control point has ${control.length} values but this pair needs ${pair.a.length}; train the curve again for this pair.`);
    if (control && !control.every(Number.isFinite)) throw new Error('The control point holds non-finite values; train the curve again.');
    return control;
  }

  /** Runs the job as `busy` (what the engine checks before any start) until it ends. */
  private async exclusive(name: 'scan' | 'train', fn: () => Promise<void>): Promise<void> {
    this.job = name;
    const run = fn();
    this.running = run;
    try {
      await run;
    } finally {
      this.job = null;
    }
  }
}
