import type { Model } from '../../model/model.ts';
import { Rng } from '../../util/rng.ts';
import { Adam, ADAM_DEFAULTS } from '../adam.ts';
import { PathEvaluator } from './evaluator.ts';
import { bezierPoint, controlWeight, midpoint, type FlatPoint } from '../path.ts';
import type { SolutionPair } from '../pair.ts';
import { validateBezierSettings, type BezierSettings } from '../../shared/bezier-settings.ts';

export { BEZIER_DEFAULTS, validateBezierSettings, type BezierSettings } from '../../shared/bezier-settings.ts';


export interface Objective {
  /** Mean over the tau samples of the summed loss at phi(tau): the Monte-Carlo estimate of Eq. 5. */
  loss: number;
  /** Its gradient w.r.t. the control point: mean over samples of 2 tau (1-tau) · d loss / d input at phi(tau). */
  grad: Float64Array;
}

/** Eq. 5 at the given tau samples, through one batched forward/backward (samples ≤ the evaluator's batch per pass). */
export async function bezierObjective(ev: PathEvaluator, pair: SolutionPair, c: FlatPoint, taus: readonly number[]): Promise<Objective> {
  const r = await ev.evaluate(taus.map((t) => bezierPoint(pair.a, pair.b, c, t)));
  const grad = new Float64Array(c.length);
  let loss = 0;
  r.forEach((x, s) => {
    loss += x.loss / taus.length;
    const w = controlWeight(taus[s]) / taus.length;
    for (let i = 0; i < grad.length; i++) grad[i] += w * x.grad![i];
  });
  return { loss, grad };
}

export interface BezierStep {
  step: number;
  loss: number;
}

export interface BezierResult {
  control: Float64Array;
  /** Objective of each step (before that step's update). */
  losses: number[];
  settings: BezierSettings;
  stopped: boolean;
}

export interface BezierHooks {
  onStep?: (s: BezierStep) => void;
  /** Asked before each step; 'stop' ends training with the control point as it is. */
  gate?: () => 'go' | 'stop';
}

/**
 * Trains the control point with Adam from the midpoint (where the curve is the straight segment),
 * drawing `samples` tau ~ U(0,1) from the seeded generator each step.
 */
export async function trainControlPoint(model: Model, pair: SolutionPair, settings: BezierSettings, hooks: BezierHooks = {}): Promise<BezierResult> {
  validateBezierSettings(settings);
  const c = midpoint(pair.a, pair.b);
  const adam = new Adam(c, { lr: settings.lr, ...ADAM_DEFAULTS });
  const rng = new Rng(settings.seed);
  const losses: number[] = [];
  const ev = await PathEvaluator.create(model, pair.target, { batch: settings.samples, withGrad: true });
  let stopped = false;
  try {
    for (let step = 0; step < settings.steps; step++) {
      if (hooks.gate?.() === 'stop') {
        stopped = true;
        break;
      }
      const taus = Array.from({ length: settings.samples }, () => rng.next());
      const { loss, grad } = await bezierObjective(ev, pair, c, taus);
      if (!Number.isFinite(loss)) throw new Error(`The Bezier loss became ${loss} at step ${step}; use a smaller learning rate.`);
      adam.step(grad);
      losses.push(loss);
      hooks.onStep?.({ step: step + 1, loss });
    }
  } finally {
    ev.destroy();
  }
  return { control: c, losses, settings, stopped };
}
