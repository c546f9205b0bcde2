/**
 * The whole benchmark suite for one platform, the one function both runners call (Node:
 * bench/node-bench.ts, Chromium: bench/browser/main.ts), so both measure exactly the same work.
 * It takes the platform's ways to get a Gpu and load models, runs the parts the input selects in
 * a fixed order (stories260k first, on a fresh device, for the cold start), records the wall time
 * of each part and returns plain JSON. No platform imports here or in the parts it calls.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import type { Model } from '../../src/model/model.ts';
import { DEFAULT_PARTS, type BenchParts } from '../parts.ts';
import { BIG_STEP_LIMIT_MS, benchBigModels } from './big-models.ts';
import { benchSolve, benchSteps, type SolveResult, type StepResult } from './compression.ts';
import { benchFixture } from './fixture-models.ts';
import { firstStep } from './first-step.ts';
import { benchForwardBackward } from './forward-backward.ts';
import { kernelBreakdown } from './kernel-breakdown.ts';
import { benchMatmul, f16Status } from './matmul.ts';
import { MODEL_MATMUL_SHAPES, benchMatmulShape } from './model-matmuls.ts';
import type { ModelStepResult } from './model-steps.ts';
import { adapterOf, type BenchInput, type CompressResults, type EngineResults, type SuiteResults } from './results.ts';
import { now, round, type RepPolicy } from './timing.ts';

/** The stories260k speed target each run is checked against (compress.json's `target`); it is set for Chromium only. */
export const TARGET = { N: 64, maxMsPerStep: 50, platform: 'browser', text: 'N = 64 no slower than 50 ms per optimisation step in Chromium' } as const;

export interface SuiteOptions {
  acquire: () => Promise<Gpu>;
  load: (gpu: Gpu) => Promise<Model>;
  /** Loads assets/fixtures/<name> (a folder in Node, the dev server's /models/fixtures-<name>/ in the browser). */
  loadFixture: (gpu: Gpu, name: string) => Promise<Model>;
  input: BenchInput;
  log?: (line: string) => void;
}

/** One repetition of everything: `--quick`, a smoke run whose numbers are not meant to be compared. */
const QUICK: RepPolicy = { minReps: 1, maxReps: 1, budgetMs: 0 };

/** The fixtures whose steps are timed: every one but stories260k (a copy of the real model). */
export const FIXTURES = ['gpt-neox-tiny', 'gpt-neox-seq-bf16', 'llama-gqa-untied'];
/** The text lengths N of each model family's ms-per-step runs. */
export const STORIES_STEP_NS = [16, 32, 64, 128, 256];
export const FIXTURE_STEP_NS = [16, 64, 256];
export const BIG_STEP_NS = [128, 512];

export async function runSuite(o: SuiteOptions): Promise<SuiteResults> {
  const log = o.log ?? (() => {});
  const q = o.input.quick ?? false;
  const parts = o.input.parts ?? DEFAULT_PARTS;
  const tokens = (n: number): number[] => {
    if (o.input.longTokens.length < n) throw new Error(`bench text has ${o.input.longTokens.length} tokens, ${n} needed`);
    return o.input.longTokens.slice(0, n);
  };
  const reps = q ? QUICK : { minReps: 3, maxReps: 10, budgetMs: 3000 };

  const partSeconds: SuiteResults['partSeconds'] = {};
  let mark = now();
  /** Charges the time since the last call to `part`. */
  const took = (part: keyof BenchParts): void => {
    const t = now();
    partSeconds[part] = round((partSeconds[part] ?? 0) + (t - mark) / 1000, 1);
    mark = t;
  };
  let gpu: Gpu;
  const engine: EngineResults = { matmul: [], forwardBackward: [], peakBytes: 0 };
  let compress: CompressResults | null = null;
  if (parts.stories) {
    log('first step (cold: device, load, compile, run)');
    const first = await firstStep(o.acquire, o.load, o.input.samples[0].tokens);
    gpu = first.gpu;
    const model = first.model;
    engine.firstStep = first.timing;
    engine.modelBytes = gpu.bytesAllocated;

    for (const N of [16, 32, 64, 128, 256]) {
      log(`forward+backward N=${N}`);
      engine.forwardBackward.push(await benchForwardBackward(model, N, reps));
    }
    engine.peakBytesStories = gpu.peakBytesAllocated;

    log('kernel breakdown N=64');
    engine.kernels = await kernelBreakdown(model, tokens(64), q ? 1 : 5);

    const stepMs: StepResult[] = [];
    for (const N of STORIES_STEP_NS) {
      log(`optimisation steps N=${N}`);
      stepMs.push(await benchSteps(model, tokens(N), q ? { warmup: 1, minSteps: 2, maxSteps: 2, budgetMs: 0 } : { warmup: 3, minSteps: 5, maxSteps: 30, budgetMs: 6000 }));
    }

    took('stories');
    const solve: SolveResult[] = [];
    if (parts.solve) {
      for (const text of o.input.samples) {
        log(`time to accuracy 1.0: ${text.id}`);
        solve.push(await benchSolve(model, text, q ? 50 : 2000));
      }
      took('solve');
    }
    const at64 = stepMs.find((s) => s.N === TARGET.N)?.msPerStep ?? null;
    const appliesHere = gpu.info.platform === TARGET.platform;
    compress = {
      stepMs,
      solve,
      target: { text: TARGET.text, N: TARGET.N, maxMsPerStep: TARGET.maxMsPerStep, measuredMs: at64, met: appliesHere && at64 !== null ? at64 <= TARGET.maxMsPerStep : null, appliesHere },
    };
    model.destroy();
  } else {
    gpu = await o.acquire();
  }
  const adapter = adapterOf(gpu);
  mark = now();

  if (parts.matmul) {
    for (const size of [512, 1024]) {
      log(`matmul ${size}^3`);
      engine.matmul.push(await benchMatmul(gpu, size, reps));
    }
    took('matmul');
  }
  if (parts.matmul4096) {
    // One repetition and no warm-up: about a minute on SwiftShader, and the 4096³ grid uses the
    // same pipeline as 1024³ (compiled there when that part ran).
    log('matmul 4096^3 (one repetition)');
    engine.matmul.push(await benchMatmul(gpu, q ? 1024 : 4096, { minReps: 1, maxReps: 1, budgetMs: 0 }, 0));
    took('matmul4096');
  }
  if (parts.shapes) {
    engine.matmulShapes = [];
    for (const shape of MODEL_MATMUL_SHAPES) {
      log(`matmul ${shape.name}`);
      engine.matmulShapes.push(await benchMatmulShape(gpu, shape, q ? QUICK : { minReps: 1, maxReps: 5, budgetMs: 3000 }));
    }
    took('shapes');
  }
  if (parts.matmul || parts.matmul4096 || parts.shapes) engine.f16 = f16Status(gpu);

  const models: ModelStepResult[] = [];
  if (parts.fixtures) {
    for (const name of o.input.fixtures ?? FIXTURES) {
      // The fixture with a PyTorch reference also gets a kernel breakdown: the measured reason when it misses.
      const breakdownAt = name === 'gpt-neox-tiny' ? (q ? 16 : 64) : null;
      models.push(...(await benchFixture(gpu, name, o.loadFixture, q ? [16] : FIXTURE_STEP_NS, q, log, breakdownAt)));
    }
    took('fixtures');
  }
  if (parts.big) {
    models.push(...(await benchBigModels(gpu, q ? [8] : BIG_STEP_NS, log, o.input.bigLimitS ? o.input.bigLimitS * 1000 : BIG_STEP_LIMIT_MS)));
    took('big');
  }

  engine.peakBytes = gpu.peakBytesAllocated; // after every part, the other models included
  gpu.destroy();
  return { adapter, engine, compress, models, partSeconds };
}
