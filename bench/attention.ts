/**
 * Attention kernel benchmark: `npx tsx bench/attention.ts [--ops] [--model] [--reps=K] [--json=FILE]
 * [--tiling=qb4,hg2,kb4,wg16,v4]` (both parts by default).
 *
 * --ops    attention_forward, attention_backward_dq and attention_backward_dkv on their own, at the
 *          stories260k head shapes (H 8, Hkv 4, hd 8; N = 16, 64, 128, 256; B = 1) and at hd 64
 *          (H = Hkv = 12, N = 128, Pythia-like), in the model's fused q/k/v layout.
 * --model  a full forward + backward step of stories260k (N = 16, 64, 128, B = 1): the step, the
 *          three attention dispatches summed over the 5 layers, and everything else.
 * --tiling forces parts of the kernels' tiling (src/ops/attention.ts, setAttentionTiling).
 * --shapes=hd64,N=128 keeps the op shapes whose name contains one of the words; --compile prints
 *          how long creating the pipelines took (SwiftShader compiles there).
 *
 * Two clocks, each the minimum over K repetitions (default 7; --stat=median for medians):
 *  - wall: GPU timestamps around each dispatch (its own compute pass). On SwiftShader that is
 *    wall-clock time, which other processes on a shared machine inflate, often by 2x.
 *  - cpu: CPU time the SwiftShader worker threads ("Thread<NN>") spend on the dispatch, read from
 *    /proc/self/task/<tid>/schedstat around a submission holding only that dispatch. This is the
 *    work done, summed over cores; it barely moves under load, so kernel variants are compared on
 *    it. It does not see idle cores (too few workgroups), which the wall column does.
 * The cpu clock needs Linux and an adapter that runs on named worker threads; without them the
 * column shows '-'.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../src/util/assets-dir.ts';
import { createNodeGpu } from '../src/gpu/node.ts';
import type { Gpu } from '../src/gpu/gpu.ts';
import { Program } from '../src/gpu/program.ts';
import type { Tensor } from '../src/gpu/tensor.ts';
import * as attention from '../src/ops/attention.ts';
import { attentionForward, attentionBackward, type AttentionArgs } from '../src/ops/attention.ts';
import { loadModel } from '../src/model/load.ts';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { TransformerSession } from '../src/model/transformer.ts';
import { Rng } from '../src/util/rng.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const a = argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return undefined;
  const eq = a.indexOf('=');
  return eq < 0 ? '' : a.slice(eq + 1);
};
const wantOps = flag('ops') !== undefined || flag('model') === undefined;
const wantModel = flag('model') !== undefined || flag('ops') === undefined;
const REPS = Number(flag('reps') || 7);
const STAT = flag('stat') || 'min';
const jsonOut = flag('json');
const STORIES = join(assetsDir(), 'models', 'stories260k');

// --tiling=qb4,hg2,kb4,fk2,wg16,lanes4,unrollIo4,v4 (only where this tree's wrapper exports setAttentionTiling).
const tilingFlag = flag('tiling');
const setTiling = (attention as Record<string, unknown>).setAttentionTiling as ((t: Record<string, number> | null) => void) | undefined;
if (tilingFlag && setTiling) {
  const t: Record<string, number> = {};
  for (const part of tilingFlag.split(',')) {
    const m = /^([a-zA-Z]+)(\d+)$/.exec(part);
    if (!m) throw new Error(`bad --tiling part ${part}`);
    t[m[1]] = Number(m[2]);
  }
  setTiling(t);
}

const stat = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (STAT === 'min') return s[0];
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(x < 10 ? 2 : 1));

/** Program items are private; the bench needs them to time dispatches one by one. */
type Item = { kind: string; label: string };
const itemsOf = (p: Program): Item[] => (p as unknown as { items: Item[] }).items;

/** A program that replays only `p`'s dispatches at the given item indices (uniforms stay owned by p). */
function subProgram(gpu: Gpu, p: Program, indices: number[]): Program {
  const sub = new Program(gpu, `${p.label}.sub`);
  const items = itemsOf(p);
  itemsOf(sub).push(...indices.map((i) => items[i]));
  return sub;
}

/** Runs `p` once with a timestamp pair per dispatch; returns milliseconds per dispatch, in order. */
async function timestamps(gpu: Gpu, p: Program): Promise<number[]> {
  const n = p.dispatchCount;
  const dev = gpu.device;
  const qs = dev.createQuerySet({ type: 'timestamp', count: 2 * n });
  const resolve = dev.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = dev.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = dev.createCommandEncoder();
  p.encode(enc, qs);
  enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
  dev.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const t = new BigUint64Array(read.getMappedRange().slice(0));
  read.unmap();
  qs.destroy();
  resolve.destroy();
  read.destroy();
  return Array.from({ length: n }, (_, i) => Number(t[2 * i + 1] - t[2 * i]) / 1e6);
}

/** Milliseconds of CPU the emulator's worker threads have used so far (NaN where unreadable). */
function workerCpu(): number {
  try {
    let ns = 0;
    let found = false;
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        if (!/^Thread<\d+>$/.test(readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim())) continue;
        ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        found = true;
      } catch {
        // the thread ended between listing and reading
      }
    }
    return found ? ns / 1e6 : NaN;
  } catch {
    return NaN;
  }
}

async function cpuOf(gpu: Gpu, p: Program): Promise<number> {
  await gpu.idle();
  const t0 = workerCpu();
  p.run();
  await gpu.idle();
  return workerCpu() - t0;
}

/**
 * Per group of dispatches (each a list of item indices of p): [wall, cpu] in ms, the statistic
 * over REPS runs. Wall is the sum of the group's dispatch timestamps inside full runs of p.
 */
async function measure(gpu: Gpu, p: Program, groups: number[][]): Promise<[number, number][]> {
  const items = itemsOf(p);
  const dispatchIndex = new Map<number, number>();
  items.forEach((it, i) => {
    if (it.kind === 'dispatch') dispatchIndex.set(i, dispatchIndex.size);
  });
  p.run(); // warm-up: pipelines compiled, every buffer written once
  await gpu.idle();
  const walls: number[][] = groups.map(() => []);
  const cpus: number[][] = groups.map(() => []);
  const subs = groups.map((g) => subProgram(gpu, p, g));
  for (let r = 0; r < REPS; r++) {
    const t = gpu.features.timestamps ? await timestamps(gpu, p) : null;
    groups.forEach((g, k) => walls[k].push(t ? g.reduce((s, i) => s + (t[dispatchIndex.get(i) ?? -1] ?? 0), 0) : NaN));
    for (let k = 0; k < groups.length; k++) cpus[k].push(await cpuOf(gpu, subs[k]));
  }
  return groups.map((_, k) => [stat(walls[k]), stat(cpus[k])]);
}

const indicesWhere = (p: Program, test: (label: string) => boolean): number[] =>
  itemsOf(p).flatMap((it, i) => (it.kind === 'dispatch' && test(it.label) ? [i] : []));

interface OpShape {
  name: string;
  B: number;
  N: number;
  H: number;
  Hkv: number;
  hd: number;
}

const opShapes: OpShape[] = [
  ...[16, 64, 128, 256].map((N) => ({ name: `stories260k N=${N}`, B: 1, N, H: 8, Hkv: 4, hd: 8 })),
  { name: 'hd64 H=12 N=128', B: 1, N: 128, H: 12, Hkv: 12, hd: 64 },
];

type Pair = [number, number];
interface OpResult {
  shape: string;
  fwd: Pair;
  dq: Pair;
  dkv: Pair;
}

async function benchOps(gpu: Gpu): Promise<OpResult[]> {
  const results: OpResult[] = [];
  const only = flag('shapes');
  for (const s of opShapes.filter((x) => !only || only.split(',').some((w) => x.name.includes(w)))) {
    const { B, N, H, Hkv, hd } = s;
    const R = B * N;
    const ldq = (H + 2 * Hkv) * hd;
    const rng = new Rng(R * 31 + hd);
    const t = (shape: number[], label: string, data?: Float32Array): Tensor => {
      const x = gpu.createTensor(shape, 'f32', label);
      if (data) gpu.write(x, data);
      return x;
    };
    const qkv = t([R, ldq], 'qkv', Float32Array.from(rng.normalArray(R * ldq)));
    const dout = t([R, H * hd], 'dout', Float32Array.from(rng.normalArray(R * H * hd)));
    const out = t([R, H * hd], 'out');
    const lse = t([R, H], 'lse');
    const delta = t([R, H], 'delta');
    const dqkv = t([R, ldq], 'dqkv');
    const args: AttentionArgs = { qkv, out, lse, B, N, H, Hkv, hd, ldq, qOff: 0, kOff: H * hd, vOff: (H + Hkv) * hd, scale: 1 / Math.sqrt(hd) };
    const p = new Program(gpu, 'bench');
    const c0 = performance.now();
    attentionForward(p, 'fwd', args);
    const c1 = performance.now();
    attentionBackward(p, 'bwd', { ...args, dout, dqkv, delta });
    if (flag('compile') !== undefined) console.log(`${s.name}: pipelines created in ${ms(c1 - c0)} ms (fwd), ${ms(performance.now() - c1)} ms (dq + dkv)`);
    const [fwd, dq, dkv] = await measure(gpu, p, [indicesWhere(p, (l) => l === 'fwd'), indicesWhere(p, (l) => l === 'bwd.dq'), indicesWhere(p, (l) => l === 'bwd.dkv')]);
    p.destroy();
    results.push({ shape: s.name, fwd, dq, dkv });
    for (const x of [qkv, dout, out, lse, delta, dqkv]) gpu.destroyTensor(x);
  }
  return results;
}

interface ModelResult {
  N: number;
  step: Pair;
  attnFwd: Pair;
  attnDq: Pair;
  attnDkv: Pair;
}

async function benchModel(gpu: Gpu): Promise<ModelResult[]> {
  const model = await loadModel(gpu, nodeFolderSource(STORIES));
  const d = model.spec.hidden;
  const results: ModelResult[] = [];
  for (const N of [16, 64, 128]) {
    const s = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: true });
    const rng = new Rng(N);
    gpu.write(s.inputs, Float32Array.from(rng.normalArray(N * d)));
    gpu.write(s.targets, Uint32Array.from({ length: N }, (_, i) => (i * 37) % model.spec.vocabSize));
    const p = new Program(gpu, 'step');
    s.recordForward(p);
    s.recordBackward(p);
    const all = itemsOf(p).map((_, i) => i); // copies and clears included, so the cpu clock sees the real step
    const [step, attnFwd, attnDq, attnDkv] = await measure(gpu, p, [
      all,
      indicesWhere(p, (l) => /\.attn$/.test(l)),
      indicesWhere(p, (l) => /\.attn\.bwd\.dq$/.test(l)),
      indicesWhere(p, (l) => /\.attn\.bwd\.dkv$/.test(l)),
    ]);
    p.destroy();
    s.destroy();
    results.push({ N, step, attnFwd, attnDq, attnDkv });
  }
  return results;
}

const pair = (x: Pair): string => `${ms(x[0])} / ${ms(x[1])}`;

async function main(): Promise<void> {
  const gpu = await createNodeGpu();
  console.log(`adapter: ${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}; ${STAT} of ${REPS}${tilingFlag ? `; tiling ${tilingFlag}` : ''}`);
  const report: { ops?: OpResult[]; model?: ModelResult[] } = {};
  if (wantOps) {
    report.ops = await benchOps(gpu);
    console.log('\nattention kernels alone, ms per call: wall / cpu');
    console.log('| shape | fwd | bwd dq | bwd dkv | total |');
    console.log('|---|---|---|---|---|');
    for (const r of report.ops) {
      const total: Pair = [r.fwd[0] + r.dq[0] + r.dkv[0], r.fwd[1] + r.dq[1] + r.dkv[1]];
      console.log(`| ${r.shape} | ${pair(r.fwd)} | ${pair(r.dq)} | ${pair(r.dkv)} | ${pair(total)} |`);
    }
  }
  if (wantModel) {
    report.model = await benchModel(gpu);
    console.log('\nstories260k forward + backward step, B = 1, ms: wall / cpu (attention summed over 5 layers)');
    console.log('| N | step | attn fwd | attn dq | attn dkv | attention share |');
    console.log('|---|---|---|---|---|---|');
    for (const r of report.model) {
      const share = (r.attnFwd[1] + r.attnDq[1] + r.attnDkv[1]) / r.step[1];
      console.log(`| ${r.N} | ${pair(r.step)} | ${pair(r.attnFwd)} | ${pair(r.attnDq)} | ${pair(r.attnDkv)} | ${(100 * share).toFixed(0)} % of cpu |`);
    }
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ adapter: gpu.info, stat: STAT, reps: REPS, tiling: tilingFlag ?? null, ...report }, null, 2));
  gpu.destroy();
}

await main();
