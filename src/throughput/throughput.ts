/**
 * Decoding throughput (issue 4 §6, the paper's Figure 4): how fast a text is reproduced from its
 * solution, by the one-shot method (one forward pass over [e, m, ..., m]) and by the memory-token
 * method (autoregressive greedy decoding from the memory, with the KV cache of kv-decode.ts).
 * throughput = tokens reproduced / wall time of one reproduction.
 *
 * What a timed run covers, for both methods alike: writing the input vectors to the GPU, all GPU
 * work, and reading the tokens back. Not timed: building the programs and compiling pipelines
 * (done once, before), and one warm-up run. The autoregressive side gets its best case: the whole
 * decode (prefill + N - 1 steps) is queued at once with the position and the fed-back token kept on
 * the GPU, so no CPU round trip happens between tokens. The two methods are timed alternately, so a
 * machine that gets busier or quieter during the measurement affects both.
 *
 * Decoding time does not depend on the vectors' values, only on the model, the length and the
 * shapes. So a solution of one method is also compared with the other method at the same length
 * using seeded stand-in vectors ("stand-in": timing only; its reproduced count is null).
 */
import { Program } from '../gpu/program.ts';
import type { Model } from '../model/model.ts';
import type { AnySolution } from '../memory/solution-file.ts';
import { TransformerSession } from '../model/transformer.ts';
import { KvDecoder } from '../model/kv-decode.ts';
import { planLayout, DEFAULT_LAYOUT, type FirstTarget, type LayoutName, type LayoutPlan } from '../shared/layouts.ts';
import { Rng } from '../util/rng.ts';
import { DEFAULT_MEMORY_TOKENS, memoryPositions } from '../memory/problem.ts';

export type DecodeMethod = 'oneshot' | 'memory';

export interface ThroughputTiming {
  method: DecodeMethod;
  /** 'solution': the solution's own vectors; 'stand-in': seeded random vectors of the same shape (timing only). */
  vectors: 'solution' | 'stand-in';
  /** Tokens produced per run (the text length N). */
  tokens: number;
  /** Forward passes per run: 1 for one-shot; the prefill plus N - 1 cached steps for memory. */
  passes: number;
  /** Input positions processed per run: the layout length for one-shot, K + N - 1 for memory. */
  positions: number;
  /** Wall seconds of every timed run. */
  runs: number[];
  /** Median of runs. */
  seconds: number;
  /** Fastest run: on a machine shared with other work the least disturbed one. */
  minSeconds: number;
  /** tokens / seconds (the median run). */
  tokensPerSecond: number;
  /** Tokens equal to the text's (null for stand-in vectors). */
  reproduced: number | null;
  /** One-shot: the layout; memory: the number of memory vectors. */
  layout?: LayoutName;
  firstTarget?: FirstTarget;
  K?: number;
}

export interface ThroughputRecord {
  model: string;
  modelFingerprint: string;
  /** The WebGPU adapter, e.g. "google swiftshader". */
  adapter: string;
  /** Text length in tokens. */
  N: number;
  oneShot: ThroughputTiming;
  memory: ThroughputTiming;
  /** oneShot.tokensPerSecond / memory.tokensPerSecond. */
  speedup: number;
  repeats: number;
  /** 1-minute load average when the measurement ended, where known (other work on the machine slows both). */
  loadAverage: number | null;
  createdAt: string;
}

export interface OneShotVectors {
  e: Float32Array;
  m: Float32Array;
  layout: LayoutName;
  firstTarget: FirstTarget;
}

export interface MemorySolutionVectors {
  memory: Float32Array;
  K: number;
}

/** A text and the solutions to time; a missing method gets stand-in vectors. */
export interface ThroughputSubject {
  targets: readonly number[];
  oneshot?: OneShotVectors;
  memory?: MemorySolutionVectors;
}

/** What a solution file of either method gives the timing: its text and its own vectors. */
export function subjectOf(any: AnySolution): ThroughputSubject {
  const targets = any.solution.meta.targetIds;
  return any.method === 'memory'
    ? { targets, memory: { memory: any.solution.memory, K: any.solution.meta.K } }
    : { targets, oneshot: { e: any.solution.e, m: any.solution.m, layout: any.solution.meta.layout, firstTarget: any.solution.meta.firstTarget } };
}

export interface ThroughputOptions {
  /** Timed runs per method (default 5). */
  repeats?: number;
  /** Memory vectors of a stand-in memory (default 1, the paper's comparison). */
  K?: number;
  /** Layout of stand-in proto-tokens (default the paper's [e][m]x(N-1), first target e). */
  layout?: LayoutName;
  firstTarget?: FirstTarget;
  /** Seed of stand-in vectors. */
  seed?: number;
  /** Reads the machine's load for the record (Node: () => os.loadavg()[0]). */
  machineLoad?: () => number;
  /** After the warm-up and after each timed pair of runs: pairs done (warm-up = 1) of repeats + 1. */
  onProgress?: (done: number, total: number) => void;
}

/** One reproduction: the tokens and the wall seconds it took. */
interface Timed {
  tokens: number[];
  seconds: number;
}

/** One forward pass of a layout of (e, m), set up once and run many times. */
export class OneShotDecoder {
  readonly L: number;
  private readonly session: TransformerSession;
  private readonly program: Program;
  private readonly inputs: Float32Array;
  private readonly plan: LayoutPlan;

  constructor(
    readonly model: Model,
    readonly N: number,
    readonly layout: LayoutName,
    readonly firstTarget: FirstTarget,
  ) {
    this.plan = planLayout(layout, N, firstTarget);
    this.L = this.plan.length;
    this.session = new TransformerSession(model, { batch: 1, seqLen: this.L, withGrad: false });
    this.program = new Program(model.gpu, 'oneshot.decode');
    this.session.recordForward(this.program);
    this.inputs = new Float32Array(this.L * model.spec.hidden);
  }

  async run(v: { e: Float32Array; m: Float32Array }): Promise<Timed> {
    const { gpu, spec } = this.model;
    const d = spec.hidden;
    if (v.e.length !== d || v.m.length !== d) throw new Error(`These proto-tokens have width ${v.e.length}, but this model's embeddings have width ${d}.`);
    const t0 = performance.now();
    for (let i = 0; i < this.L; i++) this.inputs.set(this.plan.slots[i] === 0 ? v.e : v.m, i * d);
    gpu.write(this.session.inputs, this.inputs);
    this.program.run();
    const argmax = await gpu.readU32(this.session.argmax);
    const seconds = (performance.now() - t0) / 1000;
    const tokens = new Array<number>(this.N);
    for (let i = 0; i < this.L; i++) if (this.plan.targetIndex[i] >= 0) tokens[this.plan.targetIndex[i]] = argmax[i];
    return { tokens, seconds };
  }

  destroy(): void {
    this.program.destroy();
    this.session.destroy();
  }
}

/** Autoregressive decoding of N tokens from K memory vectors (KV cache), set up once and run many times. */
export class MemoryDecoder {
  private readonly dec: KvDecoder;

  constructor(
    readonly model: Model,
    readonly K: number,
    readonly N: number,
  ) {
    this.dec = new KvDecoder(model, { batch: 1, prefix: K, count: N });
  }

  get passes(): number {
    return this.N;
  }

  async run(memory: Float32Array): Promise<Timed> {
    const need = this.K * this.model.spec.hidden;
    if (memory.length !== need) throw new Error(`This memory has ${memory.length} values; ${this.K} vectors of this model's width need ${need}.`);
    const t0 = performance.now();
    this.model.gpu.write(this.dec.inputs, memory);
    this.dec.submitAll();
    const [tokens] = await this.dec.readTokens();
    return { tokens, seconds: (performance.now() - t0) / 1000 };
  }

  destroy(): void {
    this.dec.destroy();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/**
 * Times reproducing `subject.targets` by both methods at the same length (the given solutions,
 * stand-ins for a missing one). Throws when the model has too few positions for either method.
 */
export async function measureThroughput(model: Model, subject: ThroughputSubject, opts: ThroughputOptions = {}): Promise<ThroughputRecord> {
  const { spec, gpu } = model;
  const d = spec.hidden;
  const N = subject.targets.length;
  const repeats = opts.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive whole number, got ${repeats}.`);
  if (N < 1) throw new Error('The text has no tokens.');
  const rng = new Rng(opts.seed ?? 0);
  const one: OneShotVectors = subject.oneshot ?? {
    e: rng.normalArray(d),
    m: rng.normalArray(d),
    layout: opts.layout ?? DEFAULT_LAYOUT,
    firstTarget: opts.firstTarget ?? 'e',
  };
  const K = subject.memory?.K ?? opts.K ?? DEFAULT_MEMORY_TOKENS;
  const mem: MemorySolutionVectors = subject.memory ?? { memory: rng.normalArray(K * d), K };
  const L = planLayout(one.layout, N, one.firstTarget).length;
  const memL = memoryPositions(N, K);
  for (const [what, need] of [['one-shot decoding', L], ['memory decoding', memL]] as const) {
    if (need > spec.maxPositions) throw new Error(`${what} of ${N} tokens needs ${need} positions but the model handles at most ${spec.maxPositions}; use a shorter text.`);
  }

  const oneDec = new OneShotDecoder(model, N, one.layout, one.firstTarget);
  const memDec = new MemoryDecoder(model, K, N);
  try {
    // Nothing done yet: the caller's clock starts now, not after the warm-up.
    opts.onProgress?.(0, repeats + 1);
    // Warm-up (first submissions allocate driver-side state); these tokens are the ones checked.
    const oneTokens = (await oneDec.run(one)).tokens;
    const memTokens = (await memDec.run(mem.memory)).tokens;
    opts.onProgress?.(1, repeats + 1);
    const oneRuns: number[] = [];
    const memRuns: number[] = [];
    for (let r = 0; r < repeats; r++) {
      oneRuns.push((await oneDec.run(one)).seconds);
      memRuns.push((await memDec.run(mem.memory)).seconds);
      opts.onProgress?.(r + 2, repeats + 1);
    }
    const right = (tokens: number[]) => tokens.filter((t, i) => t === subject.targets[i]).length;
    const timing = (method: DecodeMethod, runs: number[], vectors: ThroughputTiming['vectors'], passes: number, positions: number, tokens: number[]): ThroughputTiming => {
      const seconds = median(runs);
      return { method, vectors, tokens: N, passes, positions, runs, seconds, minSeconds: Math.min(...runs), tokensPerSecond: N / seconds, reproduced: vectors === 'solution' ? right(tokens) : null };
    };
    const oneShot = { ...timing('oneshot', oneRuns, subject.oneshot ? 'solution' : 'stand-in', 1, L, oneTokens), layout: one.layout, firstTarget: one.firstTarget };
    const memory = { ...timing('memory', memRuns, subject.memory ? 'solution' : 'stand-in', N, memL, memTokens), K };
    return {
      model: model.id,
      modelFingerprint: model.fingerprint,
      adapter: `${gpu.info.vendor} ${gpu.info.architecture}`.trim(),
      N,
      oneShot,
      memory,
      speedup: oneShot.tokensPerSecond / memory.tokensPerSecond,
      repeats,
      loadAverage: opts.machineLoad ? opts.machineLoad() : null,
      createdAt: new Date().toISOString(),
    };
  } finally {
    oneDec.destroy();
    memDec.destroy();
  }
}
