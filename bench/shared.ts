/**
 * Benchmark bodies shared by Node (bench/node-bench.ts) and Chromium (bench/browser/main.ts).
 * Pure functions of a Gpu and a Model: no platform imports, so both runners measure exactly the
 * same work. Every timing waits for the queue (`gpu.idle()` / a readback), never just for the
 * submit call, because submission is asynchronous.
 */
import type { Gpu } from '../src/gpu/gpu.ts';
import { Program } from '../src/gpu/program.ts';
import type { Tensor } from '../src/gpu/tensor.ts';
import type { Model } from '../src/model/model.ts';
import { TransformerSession } from '../src/model/transformer.ts';
import { matmul, matmulPath, type MatmulArgs } from '../src/ops/matmul.ts';
import { rowsPerChunk } from '../src/model/linear.ts';
import { loadModel } from '../src/model/load.ts';
import { parseConfig } from '../src/model/config.ts';
import { randomModelSource } from '../src/model/sources/random-source.ts';
import { BIG_MODELS, LLAMA_32_1B_CONFIG, PYTHIA_160M_CONFIG } from './model-shapes.ts';
import { DEFAULT_PARTS, type BenchParts } from './parts.ts';
import { optimise } from '../src/prototokens/optimise.ts';
import { restarts, singleText } from '../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../src/shared/run-settings.ts';
import { ProtoTrainer } from '../src/prototokens/trainer.ts';
import { timeSteps, type StepTiming, type StepTimingOptions } from '../src/prototokens/step-timing.ts';
import { Rng } from '../src/util/rng.ts';

const now = (): number => performance.now();
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** How many timed repetitions: at least minReps, then more until budgetMs is spent or maxReps reached. */
export interface RepPolicy {
  minReps: number;
  maxReps: number;
  budgetMs: number;
}

/** Times `once` (which must wait for the GPU) after `warmup` untimed calls, following `policy`. */
async function repeat(once: () => Promise<void>, warmup: number, policy: RepPolicy): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  const start = now();
  while (times.length < policy.maxReps && (times.length < policy.minReps || now() - start < policy.budgetMs)) {
    const t0 = now();
    await once();
    times.push(now() - t0);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// What the runners exchange (plain JSON: it crosses page.evaluate and a child process).

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

export interface FirstStep {
  /** requestAdapter + requestDevice. */
  deviceMs: number;
  /** config, safetensors header, weight upload (from disk in Node, over HTTP from the dev server in the browser). */
  loadMs: number;
  /** Trainer set-up (buffers, recording, pipeline creation) + the first optimisation step until the GPU has finished it. */
  firstStepMs: number;
  /** All three: from nothing to the first finished step. */
  totalMs: number;
  /** Pipelines compiled by then. */
  pipelines: number;
  /** Browser only: HTTP requests for model files during the load (filled in by bench/run.ts). */
  modelHttpRequests?: number;
}

/**
 * Cold start, measured on a fresh device (pipelines are cached per Gpu, so this must run before
 * any other benchmark on it): model load, then one optimisation step of a 16-token text.
 * `acquire` creates the Gpu; `load` loads stories260k on it.
 */
export async function firstStep(
  acquire: () => Promise<Gpu>,
  load: (gpu: Gpu) => Promise<Model>,
  text: number[],
): Promise<{ gpu: Gpu; model: Model; timing: FirstStep }> {
  const t0 = now();
  const gpu = await acquire();
  const t1 = now();
  const model = await load(gpu);
  await gpu.idle();
  const t2 = now();
  const trainer = await ProtoTrainer.create(model, singleText(text, 0), { ...PAPER_SETTINGS, maxSteps: 1 });
  trainer.submitSteps(1);
  await trainer.report();
  const t3 = now();
  trainer.destroy();
  return {
    gpu,
    model,
    timing: { deviceMs: round(t1 - t0), loadMs: round(t2 - t1), firstStepMs: round(t3 - t2), totalMs: round(t3 - t0), pipelines: gpu.pipelineCount },
  };
}

// ---------------------------------------------------------------------------------------------
// Engine: matmul, forward+backward, per-kernel breakdown.

export interface MatmulResult {
  size: number;
  /** Untimed runs first (0 at 4096³: its pipeline is the one 1024³ compiled). */
  warmup?: number;
  reps: number;
  msPerRun: number;
  gflops: number;
}

/**
 * C = A·Bᵀ (f32, the forward of a linear layer) at size³: `warmup` untimed runs, then `reps`
 * timed runs, each one submission timed from submit to queue completion; mean of the reps.
 */
export async function benchMatmul(gpu: Gpu, size: number, policy: RepPolicy, warmup = 1): Promise<MatmulResult> {
  const rng = new Rng(size);
  const tensor = (label: string): Tensor => {
    const t = gpu.createTensor([size, size], 'f32', label);
    gpu.write(t, rng.normalArray(size * size));
    return t;
  };
  const a = tensor('bench.a');
  const b = tensor('bench.b');
  const c = gpu.createTensor([size, size], 'f32', 'bench.c');
  const p = new Program(gpu, `bench.matmul${size}`);
  matmul(p, 'matmul', { a, b, c, M: size, N: size, K: size, transposeB: true });
  const times = await repeat(
    async () => {
      p.run();
      await gpu.idle();
    },
    warmup,
    policy,
  );
  p.destroy();
  for (const t of [a, b, c]) gpu.destroyTensor(t);
  const ms = mean(times);
  return { size, warmup, reps: times.length, msPerRun: round(ms), gflops: round((2 * size ** 3) / (ms * 1e6), 3) };
}

export interface MatmulShape {
  /** Which layer of which model this is. */
  name: string;
  /** Rows (tokens), inner dimension, output columns: [M, K] times [K, N]. */
  M: number;
  K: number;
  N: number;
}

/** Tokens (rows) of the model-shape matmuls. */
export const MODEL_MATMUL_TOKENS = 128;

/** x·Wᵀ for a layer with K inputs and N outputs, at MODEL_MATMUL_TOKENS rows, named after the model and layer. */
function layerShape(model: string, layer: string, K: number, N: number): MatmulShape {
  return { name: `${model} ${layer} (N x ${K} · ${K} x ${N})`, M: MODEL_MATMUL_TOKENS, K, N };
}

const PYTHIA = parseConfig(PYTHIA_160M_CONFIG);
const LLAMA = parseConfig(LLAMA_32_1B_CONFIG);

/**
 * The layer shapes of the big models (bench/model-shapes.ts's configs, read by the engine's
 * parseConfig) at N = 128 tokens, x·Wᵀ (the forward of each linear layer): Pythia's fused qkv
 * ((heads + 2 kv heads) x head size outputs, as transformer.ts lays it out) and output layer
 * (vocabulary), Llama's MLP up projection (intermediate size).
 */
export const MODEL_MATMUL_SHAPES: MatmulShape[] = [
  layerShape('Pythia-160M', 'qkv', PYTHIA.hidden, (PYTHIA.heads + 2 * PYTHIA.kvHeads) * PYTHIA.headDim),
  layerShape('Pythia-160M', 'lm_head', PYTHIA.hidden, PYTHIA.vocabSize),
  layerShape('Llama-3.2-1B', 'up', LLAMA.hidden, LLAMA.intermediate),
];

export interface MatmulShapeResult extends MatmulShape {
  /** The weight split by rows the way the model loader splits it (binding-size limit): one dispatch per chunk. */
  chunks: number;
  kernel: string;
  reps: number;
  msPerRun: number;
  gflops: number;
}

/**
 * C = A·Bᵀ at one model shape, B split into row chunks exactly as the loader splits a weight
 * (rowsPerChunk), all chunks in one submission: 1 warm-up, then reps per the policy; mean.
 */
export async function benchMatmulShape(gpu: Gpu, shape: MatmulShape, policy: RepPolicy): Promise<MatmulShapeResult> {
  const { M, K, N } = shape;
  const rng = new Rng(M + K + N);
  const a = gpu.createTensor([M, K], 'f32', 'bench.a');
  gpu.write(a, rng.normalArray(M * K));
  const c = gpu.createTensor([M, N], 'f32', 'bench.c');
  const per = rowsPerChunk(K, gpu.limits.maxStorageBindingBytes);
  const chunks: Tensor[] = [];
  const p = new Program(gpu, `bench.matmul.${M}x${K}x${N}`);
  // The kernel label is what matmul() chose for each chunk's args (the same args it was given).
  const paths = new Set<string>();
  for (let r = 0; r < N; r += per) {
    const rows = Math.min(per, N - r);
    const b = gpu.createTensor([rows, K], 'f32', `bench.b${chunks.length}`);
    gpu.write(b, rng.normalArray(rows * K));
    chunks.push(b);
    const args: MatmulArgs = { a, b, c, M, N: rows, K, transposeB: true, ldc: N, cOffset: r };
    matmul(p, `matmul[${r}]`, args);
    paths.add(matmulPath(gpu, args));
  }
  const times = await repeat(
    async () => {
      p.run();
      await gpu.idle();
    },
    1,
    policy,
  );
  p.destroy();
  for (const t of [a, c, ...chunks]) gpu.destroyTensor(t);
  const ms = mean(times);
  return { ...shape, chunks: chunks.length, kernel: [...paths].join('+'), reps: times.length, msPerRun: round(ms), gflops: round((2 * M * K * N) / (ms * 1e6), 3) };
}

/** f16 matmul: what this adapter and engine allow (the engine's kernels are f32; shader-f16 decides whether f16 could be measured at all). */
export function f16Status(gpu: Gpu): string {
  return gpu.features.f16
    ? 'not measured: the adapter has shader-f16, but the engine has no f16 matmul kernel yet'
    : 'not measured: this adapter has no shader-f16';
}

export interface ForwardBackwardResult {
  N: number;
  reps: number;
  /** Mean ms of one forward+backward (one submission, waited for). */
  ms: number;
  /** Fastest rep. */
  minMs: number;
  dispatches: number;
  /** GPU bytes the session (activations, gradients) holds, weights excluded. */
  sessionBytes: number;
}

/** Session for one sequence of N random input embeddings with random targets: forward + backward in one Program. */
function fwdBwdProgram(model: Model, N: number): { session: TransformerSession; program: Program } {
  const gpu = model.gpu;
  const d = model.spec.hidden;
  const rng = new Rng(1000 + N);
  const session = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: true });
  gpu.write(session.inputs, rng.normalArray(N * d));
  gpu.write(session.targets, Uint32Array.from({ length: N }, () => rng.int(model.spec.vocabSize)));
  const program = new Program(gpu, `bench.fwdbwd${N}`);
  session.recordForward(program);
  session.recordBackward(program);
  return { session, program };
}

export async function benchForwardBackward(model: Model, N: number, policy: RepPolicy, warmup = 1): Promise<ForwardBackwardResult> {
  const gpu = model.gpu;
  const { session, program } = fwdBwdProgram(model, N);
  const times = await repeat(
    async () => {
      program.run();
      await gpu.idle();
    },
    warmup,
    policy,
  );
  const result = { N, reps: times.length, ms: round(mean(times)), minMs: round(Math.min(...times)), dispatches: program.dispatchCount, sessionBytes: session.bytes };
  program.destroy();
  session.destroy();
  return result;
}

export interface KernelGroup {
  /** Dispatch label with the layer prefix (`l3.`) and vocabulary-chunk suffix (`[0]`) removed. */
  kernel: string;
  /** Dispatches of this group in one step. */
  count: number;
  /** GPU ms per step: over the group's dispatches, the sum of each one's median timestamp interval. */
  ms: number;
  /** Share of the summed kernel time. */
  pct: number;
}

export interface KernelBreakdown {
  what: string;
  N: number;
  reps: number;
  dispatches: number;
  /** Sum over all dispatches of their median timestamp interval. */
  kernelMs: number;
  /** Wall time of the profiled submission (one compute pass per dispatch adds overhead). */
  profiledWallMs: number;
  /** Wall time of the same step submitted normally. */
  plainWallMs: number;
  groups: KernelGroup[];
  note?: string;
}

export function kernelGroupName(label: string): string {
  return label.replace(/^l\d+\./, '').replace(/\[\d+\]/g, '');
}

/**
 * Per-kernel GPU time of one optimisation step (layout + forward + keep-best + backward + AdamW)
 * of an N-token text (`seeds` restarts of it in one batch): each dispatch in its own compute pass with begin/end timestamps; the
 * first profiled submission is a warm-up, then each dispatch's median over `reps` submissions.
 */
export async function kernelBreakdown(model: Model, tokens: number[], reps: number, seeds = 1): Promise<KernelBreakdown | { N: number; unavailable: string }> {
  const gpu = model.gpu;
  const N = tokens.length;
  if (!gpu.features.timestamps) return { N, unavailable: 'this adapter has no timestamp-query' };
  const problem = seeds === 1 ? singleText(tokens, 0) : restarts(tokens, 0, seeds);
  const trainer = await ProtoTrainer.create(model, problem, { ...PAPER_SETTINGS, maxSteps: 1_000_000 });
  // The step Program is the trainer's own (what submitSteps replays); `private` is a compile-time
  // wall only, and bracket access is TypeScript's sanctioned way through it for tooling like this.
  const program = trainer['stepProgram'];
  // Program.encode numbers timestamp queries by dispatch (2q, 2q+1); copies and clears get none.
  const dispatchLabels = program['items'].filter((item) => item.kind === 'dispatch').map((item) => item.label);
  const dispatches = dispatchLabels.length;
  const querySet = gpu.device.createQuerySet({ type: 'timestamp', count: 2 * dispatches });
  const resolve = gpu.device.createBuffer({ size: 16 * dispatches, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = gpu.device.createBuffer({ size: 16 * dispatches, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  // Warm up and time the plain step.
  trainer.submitSteps(3);
  await gpu.idle();
  const plain: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    trainer.submitSteps(1);
    await gpu.idle();
    plain.push(now() - t0);
  }

  const perRep: number[][] = [];
  const wall: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = now();
    const encoder = gpu.device.createCommandEncoder({ label: 'bench.profile' });
    program.encode(encoder, querySet);
    encoder.resolveQuerySet(querySet, 0, 2 * dispatches, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, 16 * dispatches);
    gpu.device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t1 = now();
    const ts = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    if (r === 0) continue; // first profiled submission: warm-up
    wall.push(t1 - t0);
    const durations: number[] = [];
    for (let q = 0; q < dispatches; q++) {
      const begin = ts[2 * q];
      const end = ts[2 * q + 1];
      durations.push(end > begin ? Number(end - begin) / 1e6 : 0);
    }
    perRep.push(durations);
  }
  trainer.destroy();
  querySet.destroy();
  resolve.destroy();
  read.destroy();

  const perDispatch = Array.from({ length: dispatches }, (_, q) => median(perRep.map((d) => d[q])));
  const groups = new Map<string, { count: number; ms: number }>();
  perDispatch.forEach((ms, q) => {
    const name = kernelGroupName(dispatchLabels[q] ?? `#${q}`);
    const g = groups.get(name) ?? { count: 0, ms: 0 };
    g.count++;
    g.ms += ms;
    groups.set(name, g);
  });
  const total = perDispatch.reduce((a, b) => a + b, 0);
  const zero = perDispatch.filter((x) => x === 0).length;
  return {
    what: 'one optimisation step (ProtoTrainer step program): layout, forward, keep-best, backward, AdamW',
    N,
    reps,
    dispatches,
    kernelMs: round(total, 3),
    profiledWallMs: round(median(wall)),
    plainWallMs: round(median(plain)),
    groups: [...groups.entries()]
      .map(([kernel, g]) => ({ kernel, count: g.count, ms: round(g.ms, 3), pct: round((100 * g.ms) / (total || 1), 1) }))
      .sort((a, b) => b.ms - a.ms),
    ...(zero > dispatches / 2 ? { note: `${zero} of ${dispatches} dispatches read 0 ns: timestamps are quantised on this platform` } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Compression: the proto-token optimiser.

export type StepResult = StepTiming;

/** ms per trainer step for an N-token text: see timeSteps (src/prototokens/step-timing.ts). */
export function benchSteps(model: Model, tokens: number[], o: StepTimingOptions): Promise<StepResult> {
  return timeSteps(model, tokens, o);
}

export interface SolveResult {
  id: string;
  N: number;
  solved: boolean;
  stoppedBy: string;
  /** Steps until every token was first right (optimise()'s `steps`). */
  steps: number;
  stepsExecuted: number;
  /** optimise() wall time (set-up excluded). */
  seconds: number;
  /** Trainer creation + optimise(). */
  totalSeconds: number;
  bestCorrect: number;
}

/** Time to accuracy 1.0 with PAPER_SETTINGS, seed 0, at most maxSteps steps. */
export async function benchSolve(model: Model, text: BenchText, maxSteps: number): Promise<SolveResult> {
  const t0 = now();
  const trainer = await ProtoTrainer.create(model, singleText(text.tokens, 0), { ...PAPER_SETTINGS, seed: 0, maxSteps });
  const r = await optimise(trainer);
  const t1 = now();
  trainer.destroy();
  return {
    id: text.id,
    N: text.tokens.length,
    solved: r.stoppedBy === 'solved',
    stoppedBy: r.stoppedBy,
    steps: r.steps,
    stepsExecuted: r.stepsExecuted,
    seconds: round(r.seconds, 3),
    totalSeconds: round((t1 - t0) / 1000, 3),
    bestCorrect: Math.max(...r.last.bestCorrect),
  };
}

// ---------------------------------------------------------------------------------------------
// ms per step of other models: the fixtures, and random-weight models with big models' shapes.

export interface ModelStepResult {
  /** 'fixtures-<folder>' or a BIG_MODELS name. */
  model: string;
  kind: 'fixture' | 'random-shaped';
  N: number;
  /** null when it was not measured: see `reason`. */
  msPerStep: number | null;
  /** Timed steps (after `warmup` untimed ones). */
  steps: number;
  warmup: number;
  /** The first (warm-up) step alone: set-up, pipeline compilation and one step. */
  warmupMs?: number;
  /** Model load (for random-shaped models: generating and uploading the weights). */
  loadMs?: number;
  /** GPU bytes held while the trainer lived (weights + the step's buffers). */
  gpuBytes?: number;
  reason?: string;
  /** Per-kernel GPU time of one step at this N (fixtures with a PyTorch reference, at N = 64): where the time goes. */
  kernels?: KernelBreakdown | { N: number; unavailable: string };
}

/** N token ids drawn uniformly from the vocabulary (seeded): the step's cost does not depend on which tokens. */
export function randomTokens(vocab: number, N: number, seed = N): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: N }, () => rng.int(vocab));
}

/**
 * One warm-up step, then one timed step, for models where a step takes many seconds. A warm-up
 * over `limitMs` is recorded as the reason and not repeated. Out-of-memory and validation errors
 * (a buffer past a binding limit) are caught by `Gpu.checked` and reported as the reason.
 */
export async function timeOneStep(model: Model, tokens: number[], limitMs: number): Promise<Omit<ModelStepResult, 'model' | 'kind' | 'loadMs'>> {
  const gpu = model.gpu;
  const N = tokens.length;
  let warmup = 0;
  let result: Omit<ModelStepResult, 'model' | 'kind' | 'loadMs'>;
  try {
    result = await gpu.checked(`one optimisation step at N = ${N}`, async (): Promise<Omit<ModelStepResult, 'model' | 'kind' | 'loadMs'>> => {
      let trainer: ProtoTrainer | null = null;
      try {
        const t0 = now();
        trainer = await ProtoTrainer.create(model, singleText(tokens, 0), { ...PAPER_SETTINGS, maxSteps: 3 });
        trainer.submitSteps(1);
        await trainer.report();
        warmup = 1;
        const warmupMs = round(now() - t0);
        const gpuBytes = gpu.bytesAllocated;
        if (warmupMs > limitMs) {
          return { N, msPerStep: null, steps: 0, warmup, warmupMs, gpuBytes, reason: `the warm-up step took ${(warmupMs / 1000).toFixed(0)} s, over the ${(limitMs / 1000).toFixed(0)} s limit: not timed again` };
        }
        const t1 = now();
        trainer.submitSteps(1);
        await gpu.idle();
        return { N, msPerStep: round(now() - t1), steps: 1, warmup, warmupMs, gpuBytes };
      } catch (e) {
        return { N, msPerStep: null, steps: 0, warmup, reason: (e as Error).message };
      } finally {
        trainer?.destroy();
      }
    });
  } catch (e) {
    // An out-of-memory or validation error inside the step (Gpu.checked's message names which).
    return { N, msPerStep: null, steps: 0, warmup, reason: (e as Error).message };
  }
  if (gpu.lost) return { N, msPerStep: null, steps: 0, warmup, reason: 'the GPU device was lost during the step' };
  return result;
}

/** ms per step of a fixture model at each N (timeSteps, a few steps each: these models are small). */
export async function benchFixture(
  gpu: Gpu,
  name: string,
  load: (gpu: Gpu, fixture: string) => Promise<Model>,
  Ns: number[],
  quick: boolean,
  log: (l: string) => void,
  breakdownAt: number | null = null,
): Promise<ModelStepResult[]> {
  const model = `fixtures-${name}`;
  const t0 = now();
  let m: Model;
  try {
    m = await load(gpu, name);
  } catch (e) {
    return Ns.map((N) => ({ model, kind: 'fixture', N, msPerStep: null, steps: 0, warmup: 0, reason: `load failed: ${(e as Error).message}` }));
  }
  const loadMs = round(now() - t0);
  const out: ModelStepResult[] = [];
  for (const N of Ns) {
    log(`optimisation steps ${model} N=${N}`);
    const tokens = randomTokens(m.spec.vocabSize, N);
    const t = await timeSteps(m, tokens, quick ? { warmup: 1, minSteps: 1, maxSteps: 1, budgetMs: 0 } : { warmup: 2, minSteps: 3, maxSteps: 20, budgetMs: 3000 });
    const row: ModelStepResult = { model, kind: 'fixture', N, msPerStep: t.msPerStep, steps: t.steps, warmup: t.warmup, loadMs };
    if (N === breakdownAt) {
      log(`kernel breakdown ${model} N=${N}`);
      row.kernels = await kernelBreakdown(m, tokens, quick ? 1 : 3);
    }
    out.push(row);
  }
  m.destroy();
  return out;
}

/** Longest a big model's step may take here before the next size is not tried (the brief's ~3 min). */
export const BIG_STEP_LIMIT_MS = 180_000;

/**
 * Random-weight models with the shapes of Pythia-160M and Llama-3.2-1B (bench/model-shapes.ts),
 * built in memory and loaded through loadModel: one warm-up and one timed step at each N. A size
 * whose step would exceed the limit (judged from the previous size's step, scaled by the token
 * count) is recorded with that measured reason instead of run.
 */
export async function benchBigModels(gpu: Gpu, Ns: number[], log: (l: string) => void, limitMs = BIG_STEP_LIMIT_MS): Promise<ModelStepResult[]> {
  const out: ModelStepResult[] = [];
  for (const { name, config } of BIG_MODELS) {
    log(`${name}: generating and loading random weights`);
    const t0 = now();
    let model: Model;
    try {
      model = await loadModel(gpu, randomModelSource(config, { seed: 0, describe: name }));
    } catch (e) {
      for (const N of Ns) out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, reason: `load failed: ${(e as Error).message}` });
      continue;
    }
    const loadMs = round(now() - t0);
    let last: { N: number; ms: number } | null = null;
    let failed: number | null = null;
    for (const N of Ns) {
      if (failed !== null || gpu.lost) {
        out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, loadMs, reason: gpu.lost ? 'not run: the GPU device was lost' : `not run: N=${failed} failed` });
        continue;
      }
      if (last && (last.ms * N) / last.N > limitMs) {
        const est = (last.ms * N) / last.N;
        out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, loadMs, reason: `not run: N=${last.N} took ${(last.ms / 1000).toFixed(0)} s per step, so N=${N} would take at least ~${(est / 1000).toFixed(0)} s (over the ${(limitMs / 1000).toFixed(0)} s limit)` });
        continue;
      }
      log(`${name}: one warm-up and one timed step at N=${N}`);
      const r = await timeOneStep(model, randomTokens(model.spec.vocabSize, N), limitMs);
      out.push({ model: name, kind: 'random-shaped', loadMs, ...r });
      log(`${name} N=${N}: ${r.msPerStep !== null ? `${r.msPerStep} ms per step` : r.reason}`);
      const ms = r.msPerStep ?? r.warmupMs;
      if (ms === undefined) failed = N; // an error (memory, limits): a longer text will not do better
      else last = { N, ms };
    }
    model.destroy();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The whole suite for one platform.

export const TARGET = { N: 64, maxMsPerStep: 50, platform: 'browser', text: 'N = 64 no slower than 50 ms per optimisation step in Chromium' } as const;

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
  kernels?: KernelBreakdown | { N: number; unavailable: string };
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

export interface SuiteOptions {
  acquire: () => Promise<Gpu>;
  load: (gpu: Gpu) => Promise<Model>;
  /** Loads assets/fixtures/<name> (a folder in Node, the dev server's /models/fixtures-<name>/ in the browser). */
  loadFixture: (gpu: Gpu, name: string) => Promise<Model>;
  input: BenchInput;
  log?: (line: string) => void;
}

const QUICK: RepPolicy = { minReps: 1, maxReps: 1, budgetMs: 0 };

/** The fixtures whose steps are timed: every one but stories260k (a copy of the real model). */
export const FIXTURES = ['gpt-neox-tiny', 'gpt-neox-seq-bf16', 'llama-gqa-untied'];
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
