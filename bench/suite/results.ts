/**
 * What the suite's two runners exchange with bench/run.ts, as plain JSON (it crosses Playwright's
 * page.evaluate and a child process's files): the input (model and tokenized texts, which parts
 * to run) and one platform's results, whose engine, compress and models fields are what
 * bench/results/engine.json, compress.json and models.json store per run. The per-part result
 * types live beside the code that measures them.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import type { BenchParts } from '../parts.ts';
import type { SolveResult, StepResult } from './compression.ts';
import type { FirstStep } from './first-step.ts';
import type { ForwardBackwardResult } from './forward-backward.ts';
import type { KernelBreakdownResult } from './kernel-breakdown.ts';
import type { MatmulResult } from './matmul.ts';
import type { MatmulShapeResult } from './model-matmuls.ts';
import type { ModelStepResult } from './model-steps.ts';

export interface BenchText {
  id: string;
  tokens: number[];
}

export interface BenchInput {
  /** Model folder name under assets/models (served at /models/<name>/ by the dev server). */
  model: string;
  /** Three 16-token texts (threeSamples, tokenized in Node) for the time-to-solve runs. */
  samples: BenchText[];
  /** A long token run; its first N tokens are the text of the ms-per-step runs. */
  longTokens: number[];
  /** Smaller counts for a quick smoke run (`npm run bench -- --quick`). */
  quick?: boolean;
  /** What to run (bench/parts.ts); all but `big` when absent. */
  parts?: BenchParts;
  /** Fixture folders under assets/fixtures whose ms per step is measured. */
  fixtures?: string[];
  /** Seconds a big model's step may take before larger N are skipped (BIG_STEP_LIMIT_MS when absent). */
  bigLimitS?: number;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  platform: string;
}

export function adapterOf(gpu: Gpu): AdapterInfo {
  const i = gpu.info;
  return { vendor: i.vendor, architecture: i.architecture, description: i.description || i.device, platform: i.platform };
}

export interface EngineResults {
  /** The stories260k fields are absent when `--skip=stories`. */
  firstStep?: FirstStep;
  /** f32 x·Wᵀ at 512³, 1024³ and (one repetition) 4096³. */
  matmul: MatmulResult[];
  /** f32 x·Wᵀ at the Pythia-160M / Llama-3.2-1B layer shapes. */
  matmulShapes?: MatmulShapeResult[];
  /** Why no f16 matmul was measured. */
  f16?: string;
  forwardBackward: ForwardBackwardResult[];
  /** Weights of stories260k on the GPU. */
  modelBytes?: number;
  /** Peak GPU bytes while running stories260k (load, first step, forward+backward up to N = 256). */
  peakBytesStories?: number;
  /** Peak GPU bytes over the whole run on this platform (every part, the fixture and big models included). */
  peakBytes: number;
  kernels?: KernelBreakdownResult;
}

export interface CompressResults {
  stepMs: StepResult[];
  solve: SolveResult[];
  target: { text: string; N: number; maxMsPerStep: number; measuredMs: number | null; met: boolean | null; appliesHere: boolean };
}

export interface SuiteResults {
  adapter: AdapterInfo;
  engine: EngineResults;
  /** null with `--skip=stories`. */
  compress: CompressResults | null;
  /** ms per step of the fixture and random-shaped models (empty when those parts are skipped). */
  models: ModelStepResult[];
  /** Wall seconds each part took (stories includes solve): what a full run costs. */
  partSeconds: Partial<Record<keyof BenchParts, number>>;
}

/** Whether an engine part ran (matmul, model-shape matmuls or stories260k): the run then has an engine.json record and an engine table. */
export function hasEngineResults(r: SuiteResults): boolean {
  return Boolean(r.engine.matmul.length || r.engine.matmulShapes || r.engine.firstStep);
}
